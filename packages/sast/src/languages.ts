import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { Lang, registerDynamicLanguage } from '@ast-grep/napi';

type NapiLang = Lang | (string & {});

/** Languages the SAST stage scans. `javascript` rules also run on TypeScript and TSX. */
export const LANGUAGES = ['javascript', 'typescript', 'python', 'go', 'java'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The concrete tree-sitter grammar a file is parsed with. */
export type Grammar = 'javascript' | 'typescript' | 'tsx' | 'python' | 'go' | 'java';

interface DynamicLang {
  libraryPath: string;
  extensions: string[];
  languageSymbol?: string;
  expandoChar?: string;
}

const require = createRequire(import.meta.url);
let registered = false;
const expando: Partial<Record<Grammar, string>> = {};

/**
 * Loads the Python, Go and Java grammars into ast-grep. napi allows one registration per thread, so
 * this is idempotent and called lazily before the first parse.
 */
export function ensureLanguages(): void {
  if (registered) return;
  registered = true;
  const python = require('@ast-grep/lang-python') as DynamicLang;
  const go = require('@ast-grep/lang-go') as DynamicLang;
  const java = require('@ast-grep/lang-java') as DynamicLang;
  expando.python = python.expandoChar;
  expando.go = go.expandoChar;
  expando.java = java.expandoChar;
  registerDynamicLanguage({ python, go, java });
}

/** The napi language handle for a grammar. */
export function napiLang(g: Grammar): NapiLang {
  switch (g) {
    case 'javascript':
      return Lang.JavaScript;
    case 'typescript':
      return Lang.TypeScript;
    case 'tsx':
      return Lang.Tsx;
    default:
      ensureLanguages();
      return g;
  }
}

/** The character ast-grep substitutes for `$` in patterns of a grammar where `$` is not an identifier character. */
export function expandoChar(g: Grammar): string | undefined {
  ensureLanguages();
  return expando[g];
}

/** Grammars a rule of a language runs on. */
export function grammarsOf(lang: Language): Grammar[] {
  switch (lang) {
    case 'javascript':
      return ['javascript', 'typescript', 'tsx'];
    case 'typescript':
      return ['typescript', 'tsx'];
    default:
      return [lang];
  }
}

/** The rule language a grammar belongs to (for the `languages` option). */
export function languageOf(g: Grammar): Language {
  if (g === 'tsx') return 'typescript';
  return g;
}

const BY_EXTENSION: Record<string, Grammar> = {
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.py': 'python',
  '.pyw': 'python',
  '.go': 'go',
  '.java': 'java',
};

/** Grammar for a path by extension; `undefined` when the extension says nothing (see {@link grammarFromShebang}). */
export function grammarForPath(path: string): Grammar | undefined | null {
  // Type declarations hold no executable code.
  if (/\.d\.[cm]?ts$/.test(path)) return null;
  const ext = extname(path).toLowerCase();
  if (ext === '') return undefined;
  return BY_EXTENSION[ext] ?? null;
}

/** Grammar from a `#!` line (`#!/usr/bin/env node`, `#!/usr/bin/python3`), for files without an extension. */
export function grammarFromShebang(firstLine: string): Grammar | undefined {
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  if (!m) return undefined;
  const prog = (m[1]?.endsWith('/env') ? m[2] : m[1])?.split('/').pop() ?? '';
  if (/^(node|nodejs|bun|deno)$/.test(prog)) return 'javascript';
  if (/^(ts-node|tsx)$/.test(prog)) return 'typescript';
  if (/^python[0-9.]*$/.test(prog)) return 'python';
  return undefined;
}
