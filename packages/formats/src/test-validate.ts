// Schema validators for the tests (not part of the build): the official SARIF 2.1.0 and GitLab 15.2.4
// schemas copied under test/fixtures/schemas (see SOURCES.md there).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as draft04Module from 'ajv-draft-04';
import * as formatsModule from 'ajv-formats';

type AjvLike = { compile(schema: object): ValidateFunction };
type AjvCtor = new (opts: Record<string, unknown>) => AjvLike;
type FormatsPlugin = (ajv: AjvLike) => void;

// CJS default exports reach ESM either as the namespace's `default` or as the namespace itself.
const unwrap = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
const Ajv04 = unwrap<AjvCtor>(draft04Module);
const addFormats = unwrap<FormatsPlugin>(formatsModule);

export const SCHEMA_DIR = fileURLToPath(new URL('../test/fixtures/schemas/', import.meta.url));
export const FIXTURE_DIR = fileURLToPath(new URL('../test/fixtures/', import.meta.url));

function load(name: string): object {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}`, 'utf8')) as object;
}

let sarif: ValidateFunction | undefined;
const gitlab = new Map<string, ValidateFunction>();

/** Validates against the official SARIF 2.1.0 schema (draft-04). */
export function validateSarif(doc: unknown): string[] {
  if (!sarif) {
    const ajv = new Ajv04({ allErrors: true, strict: false });
    addFormats(ajv);
    sarif = ajv.compile(load('sarif-schema-2.1.0.json'));
  }
  return sarif(doc) ? [] : describe(sarif.errors);
}

export type GitlabSchema = 'sast' | 'dependency-scanning' | 'secret-detection' | 'code-quality';

/** Validates against GitLab's report schema (draft-07 with a custom `self` keyword, hence strict: false). */
export function validateGitlab(kind: GitlabSchema, doc: unknown): string[] {
  let v = gitlab.get(kind);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    unwrap<FormatsPlugin>(formatsModule)(ajv as unknown as AjvLike);
    v = ajv.compile(load(`${kind}-report-format.json`));
    gitlab.set(kind, v);
  }
  return v(doc) ? [] : describe(v.errors);
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
