import { type FreezeWindow, WEEKDAYS, type Weekday } from './options.js';

/** Wall-clock fields of an instant in a time zone. */
export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  time: string;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date, time and weekday of `at` in `timeZone`, from Intl (no offset arithmetic of our own). */
export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    weekday: String(parts.weekday).slice(0, 3).toLowerCase() as Weekday,
  };
}

function previousDay(d: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(d) + 6) % 7]!;
}

const HAS_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;

/** Describes a window for messages: `2026-12-20 to 2027-01-03`, `weekly fri 16:00-24:00`. */
export function describeFreeze(w: FreezeWindow, timeZone: string): string {
  const base =
    'weekly' in w
      ? `weekly ${w.weekly.days.join(', ')} ${w.weekly.from}-${w.weekly.to}`
      : `${w.from} to ${w.to}`;
  return `${base} (${timeZone})${w.reason ? `: ${w.reason}` : ''}`;
}

/**
 * True when `at` falls in the window. Dates are whole local days, inclusive at both ends; date-times
 * without an offset are local wall-clock times (from inclusive, to exclusive); with an offset they
 * are instants. Comparing wall-clock strings from Intl keeps DST transitions right without any
 * offset arithmetic: a window 01:00-03:00 on a spring-forward night simply has one hour less.
 */
export function inFreeze(w: FreezeWindow, at: Date, timeZone: string): boolean {
  const local = localTime(at, timeZone);
  if ('weekly' in w) {
    const { days, from, to } = w.weekly;
    if (from === to) return days.includes(local.weekday);
    if (from < to) return days.includes(local.weekday) && local.time >= from && local.time < to;
    // Past midnight: the evening part on a listed day, the morning part on the day after one.
    return (
      (days.includes(local.weekday) && local.time >= from) ||
      (days.includes(previousDay(local.weekday)) && local.time < to)
    );
  }
  const start = bound(w.from, 'start', at, local);
  const end = bound(w.to, 'end', at, local);
  return start && end;
}

function bound(value: string, side: 'start' | 'end', at: Date, local: LocalTime): boolean {
  if (value.length === 10) return side === 'start' ? local.date >= value : local.date <= value;
  if (HAS_OFFSET.test(value)) {
    const t = Date.parse(value);
    return side === 'start' ? at.getTime() >= t : at.getTime() < t;
  }
  const wall = `${local.date}T${local.time}`;
  const v = value.slice(0, 16);
  return side === 'start' ? wall >= v : wall < v;
}

/** The windows in force at `at`. */
export function activeFreezes(windows: FreezeWindow[], at: Date, timeZone: string): FreezeWindow[] {
  return windows.filter((w) => inFreeze(w, at, timeZone));
}
