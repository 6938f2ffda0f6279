import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';
import type { Finding, Report } from './model.js';

export const DEFAULT_BASELINE_PATH = '.devsecflow/baseline.json';

/** Fingerprints only: a baseline never holds code, paths or secrets. */
const BaselineSchema = z
  .object({
    schemaVersion: z.literal(1),
    generatedAt: z.string(),
    fingerprints: z.array(z.string().regex(/^[0-9a-f]{16,64}$/)),
  })
  .strict();
export type Baseline = z.infer<typeof BaselineSchema>;

/** Builds a baseline from reports: every unsuppressed finding becomes "existing". */
export function createBaseline(reports: Report[], now = new Date()): Baseline {
  const set = new Set<string>();
  for (const r of reports) for (const f of r.findings) if (!f.suppression) set.add(f.fingerprint);
  return { schemaVersion: 1, generatedAt: now.toISOString(), fingerprints: [...set].sort() };
}

export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

/** Reads a baseline; a missing file is `undefined` (every finding is new), a malformed one an InputError. */
export async function readBaseline(path: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the baseline: ${(e as Error).message}`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`the baseline is not valid JSON (${(e as Error).message})`, { file: path });
  }
  const parsed = BaselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      `not a DevSecFlow baseline: ${issue.path.join('.') || '(root)'}: ${issue.message} (regenerate it with \`devsecflow baseline\`)`,
      { file: path },
    );
  }
  return parsed.data;
}

export function applyBaseline(findings: Finding[], baseline: Baseline | undefined): Finding[] {
  if (!baseline) return findings.map((f) => ({ ...f, baselineState: 'new' as const }));
  const known = new Set(baseline.fingerprints);
  return findings.map((f) => ({ ...f, baselineState: known.has(f.fingerprint) ? 'existing' : 'new' }));
}
