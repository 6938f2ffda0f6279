// Safety test, not a speed test: every rule's regex must get through 1 MB of hostile input
// (keyword floods and near misses with no separators) without catastrophic backtracking. The
// budget is deliberately loose; a backtracking pattern takes minutes, not seconds.
import { describe, expect, it } from 'vitest';
import { RULES } from './rules.js';
import { Scanner } from './scanner.js';
import { FAKES, rng } from './test-fakes.js';

const MB = 1024 * 1024;
const BUDGET_MS = 2000;

function fill(unit: string): string {
  return unit.repeat(Math.ceil(MB / Math.max(1, unit.length))).slice(0, MB);
}

const scanner = new Scanner();

describe.each(RULES.map((r) => [r.id] as const))('%s on 1 MB adversarial lines', (id) => {
  const c = scanner.rules.find((x) => x.rule.id === id)!;
  const gen = FAKES[id]!;
  const fake = gen.fake(rng(99));
  const near = gen.near(rng(98));
  const inputs: Record<string, string> = {
    'near miss repeated': fill(`${near.text} `),
    'near miss, no separators': fill(near.text.replace(/\s+/g, '')),
    'value minus its last character, back to back': fill(fake.value.slice(0, -1)),
    'value minus its last character, one line': fill(
      `${fake.text.replace(/\n/g, ' ').replace(fake.value, fake.value.slice(0, -1))} `,
    ),
    ...Object.fromEntries(
      c.rule.keywords.slice(0, 4).flatMap((k) => [
        [`keyword ${k} then a 1 MB token run`, k + fill('aB3xY9')],
        [`keyword ${k} flood`, fill(`${k}=`)],
      ]),
    ),
  };

  it.each(Object.entries(inputs))('%s', (_name, input) => {
    const re = new RegExp(c.re.source, c.re.flags);
    const t0 = performance.now();
    let n = 0;
    for (let m = re.exec(input); m && n < 1_000_000; m = re.exec(input)) {
      n++;
      if (m[0].length === 0) re.lastIndex++;
    }
    expect(performance.now() - t0).toBeLessThan(BUDGET_MS);
  });
});
