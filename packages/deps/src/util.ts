import { InputError } from '@devsecflow/core';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';

/** Throws a one-line InputError naming the file (and line when known). */
export function fail(path: string, message: string, line?: number): never {
  throw new InputError(message, line === undefined ? { file: path } : { file: path, line });
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** JSON.parse with an error that names the file and line instead of a character offset. */
export function parseJson(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String((e as Error).message));
    const line = m ? lineAt(text, Number(m[1])) : undefined;
    const reason = text.trim() === '' ? 'the file is empty' : 'invalid JSON (truncated or corrupted?)';
    return fail(path, `cannot read ${what}: ${reason}`, line);
  }
}

/** JSON with comments and trailing commas (bun.lock). */
export function parseJsoncStrict(text: string, path: string, what: string): unknown {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0]!;
    fail(path, `cannot read ${what}: ${printParseErrorCode(e.error)}`, lineAt(text, e.offset));
  }
  return value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object of string values (dependencies maps); wrong types raise an error naming the key. */
export function stringMap(v: unknown, path: string, key: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) fail(path, `"${key}" must be an object of name: version`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number') out[k] = String(val);
  }
  return out;
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  if (!dir) return rel;
  const parts = `${dir}/${rel}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Root package.json dependency sections, used where a lockfile does not record them itself. */
export interface ManifestDeps {
  prod: Record<string, string>;
  dev: Record<string, string>;
  optional: Record<string, string>;
  peer: Record<string, string>;
  workspaces: string[];
}

export async function readPackageJson(
  read: ((p: string) => Promise<string | undefined>) | undefined,
  path: string,
): Promise<ManifestDeps | undefined> {
  if (!read) return undefined;
  const text = await read(path);
  if (text === undefined) return undefined;
  const json = parseJson(text, path, 'package.json');
  if (!isRecord(json)) return undefined;
  const ws = json.workspaces;
  const workspaces = Array.isArray(ws)
    ? ws.filter((w): w is string => typeof w === 'string')
    : isRecord(ws) && Array.isArray(ws.packages)
      ? ws.packages.filter((w): w is string => typeof w === 'string')
      : [];
  return {
    prod: stringMap(json.dependencies, path, 'dependencies'),
    dev: stringMap(json.devDependencies, path, 'devDependencies'),
    optional: stringMap(json.optionalDependencies, path, 'optionalDependencies'),
    peer: stringMap(json.peerDependencies, path, 'peerDependencies'),
    workspaces,
  };
}

/** Splits `name@version` (scoped names keep their leading @). */
export function splitNameVersion(s: string): { name: string; version: string } | undefined {
  const at = s.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: s.slice(0, at), version: s.slice(at + 1) };
}
