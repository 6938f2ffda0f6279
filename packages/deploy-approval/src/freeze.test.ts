import { describe, expect, it } from 'vitest';
import { activeFreezes, inFreeze, localTime } from './freeze.js';
import { type FreezeWindow, FreezeWindowSchema } from './options.js';

const w = (v: unknown): FreezeWindow => FreezeWindowSchema.parse(v);
const at = (iso: string) => new Date(iso);

describe('localTime', () => {
  it('gives the wall clock and weekday of a zone', () => {
    expect(localTime(at('2026-12-24T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      date: '2026-12-25',
      time: '08:30',
      weekday: 'fri',
    });
    expect(localTime(at('2026-12-24T23:30:00Z'), 'UTC')).toEqual({
      date: '2026-12-24',
      time: '23:30',
      weekday: 'thu',
    });
  });
});

describe('date windows', () => {
  const holidays = w({ from: '2026-12-24', to: '2026-12-26', reason: 'holidays' });

  it('covers whole local days, both ends inclusive', () => {
    expect(inFreeze(holidays, at('2026-12-24T00:00:00Z'), 'UTC')).toBe(true);
    expect(inFreeze(holidays, at('2026-12-26T23:59:00Z'), 'UTC')).toBe(true);
    expect(inFreeze(holidays, at('2026-12-23T23:59:00Z'), 'UTC')).toBe(false);
    expect(inFreeze(holidays, at('2026-12-27T00:00:00Z'), 'UTC')).toBe(false);
  });

  it('reads the days in the configured time zone, not UTC', () => {
    // 23:30 UTC on the 23rd is already the 24th in Berlin and still the 23rd in New York.
    const t = at('2026-12-23T23:30:00Z');
    expect(inFreeze(holidays, t, 'Europe/Berlin')).toBe(true);
    expect(inFreeze(holidays, t, 'UTC')).toBe(false);
    // 03:00 UTC on the 27th is still the 26th in Los Angeles.
    expect(inFreeze(holidays, at('2026-12-27T03:00:00Z'), 'America/Los_Angeles')).toBe(true);
    expect(inFreeze(holidays, at('2026-12-27T03:00:00Z'), 'Europe/Berlin')).toBe(false);
  });

  it('takes local date-times, end exclusive, and instants when an offset is given', () => {
    const evening = w({ from: '2026-12-31T18:00', to: '2027-01-01T06:00' });
    expect(inFreeze(evening, at('2026-12-31T17:30:00Z'), 'Europe/London')).toBe(false);
    expect(inFreeze(evening, at('2026-12-31T18:00:00Z'), 'Europe/London')).toBe(true);
    expect(inFreeze(evening, at('2027-01-01T06:00:00Z'), 'Europe/London')).toBe(false);
    const absolute = w({ from: '2026-12-31T18:00:00+09:00', to: '2026-12-31T20:00:00+09:00' });
    expect(inFreeze(absolute, at('2026-12-31T09:30:00Z'), 'America/New_York')).toBe(true);
    expect(inFreeze(absolute, at('2026-12-31T11:00:00Z'), 'America/New_York')).toBe(false);
  });
});

describe('weekly windows', () => {
  const fridays = w({ weekly: { days: ['Friday'], from: '16:00', to: '24:00' } });

  it('matches the listed days between from and to', () => {
    expect(inFreeze(fridays, at('2026-11-20T16:00:00Z'), 'UTC')).toBe(true); // Friday
    expect(inFreeze(fridays, at('2026-11-20T15:59:00Z'), 'UTC')).toBe(false);
    expect(inFreeze(fridays, at('2026-11-20T23:59:00Z'), 'UTC')).toBe(true);
    expect(inFreeze(fridays, at('2026-11-21T00:00:00Z'), 'UTC')).toBe(false); // Saturday
  });

  it('applies in the configured zone: Friday evening in Tokyo is Friday morning in UTC', () => {
    const t = at('2026-11-20T08:00:00Z'); // 17:00 Friday in Tokyo
    expect(inFreeze(fridays, t, 'Asia/Tokyo')).toBe(true);
    expect(inFreeze(fridays, t, 'UTC')).toBe(false);
  });

  it('runs past midnight when to is earlier than from', () => {
    const night = w({ weekly: { days: ['fri'], from: '18:00', to: '08:00' } });
    expect(inFreeze(night, at('2026-11-20T19:00:00Z'), 'UTC')).toBe(true); // Fri 19:00
    expect(inFreeze(night, at('2026-11-21T07:59:00Z'), 'UTC')).toBe(true); // Sat 07:59
    expect(inFreeze(night, at('2026-11-21T08:00:00Z'), 'UTC')).toBe(false);
    expect(inFreeze(night, at('2026-11-20T07:00:00Z'), 'UTC')).toBe(false); // Fri morning: Thu not listed
  });

  it('a day without times freezes the whole local day', () => {
    const sundays = w({ weekly: { days: ['sun'] } });
    expect(inFreeze(sundays, at('2026-11-22T00:00:00Z'), 'UTC')).toBe(true);
    expect(inFreeze(sundays, at('2026-11-22T23:59:00Z'), 'UTC')).toBe(true);
    expect(inFreeze(sundays, at('2026-11-23T00:00:00Z'), 'UTC')).toBe(false);
  });

  it('keeps wall-clock windows right across DST changes', () => {
    const early = w({ weekly: { days: ['sun'], from: '01:00', to: '03:00' } });
    const ny = 'America/New_York';
    // Spring forward, 2026-03-08: 02:00 EST jumps to 03:00 EDT, so the window is one hour long.
    expect(inFreeze(early, at('2026-03-08T06:30:00Z'), ny)).toBe(true); // 01:30 EST
    expect(inFreeze(early, at('2026-03-08T06:59:00Z'), ny)).toBe(true); // 01:59 EST
    expect(inFreeze(early, at('2026-03-08T07:00:00Z'), ny)).toBe(false); // 03:00 EDT
    // Fall back, 2026-11-01: 01:30 happens twice; both are inside, 02:00 EST is not.
    const dup = w({ weekly: { days: ['sun'], from: '01:00', to: '02:00' } });
    expect(inFreeze(dup, at('2026-11-01T05:30:00Z'), ny)).toBe(true); // 01:30 EDT
    expect(inFreeze(dup, at('2026-11-01T06:30:00Z'), ny)).toBe(true); // 01:30 EST
    expect(inFreeze(dup, at('2026-11-01T07:00:00Z'), ny)).toBe(false); // 02:00 EST
    // A Europe/Berlin Monday 00:00-06:00 window after the October change still starts at local midnight.
    const monday = w({ weekly: { days: ['mon'], from: '00:00', to: '06:00' } });
    expect(inFreeze(monday, at('2026-10-25T23:00:00Z'), 'Europe/Berlin')).toBe(true); // Mon 00:00 CET
    expect(inFreeze(monday, at('2026-10-25T22:59:00Z'), 'Europe/Berlin')).toBe(false); // Sun 23:59 CET
  });
});

describe('schema', () => {
  it('rejects bad days, times and zones with a message saying what was expected', () => {
    expect(() => w({ weekly: { days: ['funday'] } })).toThrow(/weekday|freeze window/);
    expect(FreezeWindowSchema.safeParse({ weekly: { days: ['mon'], from: '25:00' } }).success).toBe(false);
    expect(FreezeWindowSchema.safeParse({ from: '2026-13-45', to: '2026-12-31' }).success).toBe(false);
  });

  it('lists the windows in force', () => {
    const list = [w({ from: '2026-11-20', to: '2026-11-20' }), w({ weekly: { days: ['sat'] } })];
    expect(activeFreezes(list, at('2026-11-20T12:00:00Z'), 'UTC')).toEqual([list[0]]);
  });
});
