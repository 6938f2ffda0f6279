// Rules searched together in one ast-grep matcher (the combined rule search, the taint pass's file
// index) keep apart by renaming: each part's metavariables and utility names move under a prefix of
// its own, and a part that matched a node says so by capturing a metavariable of its own.

import type { SgNode } from '@ast-grep/napi';
import { branchesOf, setGate } from './gate.js';

export type RuleObject = Record<string, unknown>;

/** `$ARG` -> `$R3_ARG`, `$$$ARGS` -> `$$$R3_ARGS`; anonymous `$_`, `$$$` stay as they are. */
export function renameMetavariables(pattern: string, prefix: string): string {
  return pattern.replace(/\$(\$\$)?([A-Z][A-Z0-9_]*)/g, (_m, multi: string | undefined, name: string) => {
    return `$${multi ?? ''}${prefix}${name}`;
  });
}

/** A copy of a rule object with its metavariables and utility names moved under `prefix`. */
export function renameRule(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRule(v, prefix));
  if (!value || typeof value !== 'object') return value;
  const out: RuleObject = {};
  for (const [k, v] of Object.entries(value as RuleObject)) {
    if (k === 'pattern' && typeof v === 'string') out[k] = renameMetavariables(v, prefix);
    else if (k === 'pattern' && v && typeof v === 'object') {
      const p = v as RuleObject;
      out[k] = typeof p.context === 'string' ? { ...p, context: renameMetavariables(p.context, prefix) } : p;
    } else if (k === 'matches' && typeof v === 'string') out[k] = `${prefix}${v}`;
    else out[k] = renameRule(v, prefix);
  }
  return out;
}

/** Utility rules renamed like {@link renameRule}, names included. */
export function renameUtils(utils: Record<string, unknown> | undefined, prefix: string): RuleObject {
  const out: RuleObject = {};
  for (const [name, rule] of Object.entries(utils ?? {})) out[`${prefix}${name}`] = renameRule(rule, prefix);
  return out;
}

/** The utility rule every tag falls back to: one pattern compiled once, not once per tag. */
export const ANY_NODE_UTIL = 'any-node';
export const ANY_NODE = { pattern: '$_' };

/**
 * Matches the node when `body` does and then captures it as `hit`; otherwise matches anyway,
 * capturing nothing. The config it is part of must define {@link ANY_NODE_UTIL} as {@link ANY_NODE}.
 */
export const tagged = (body: unknown, hit: string) => ({
  any: [{ all: [body, { pattern: `$${hit}` }] }, { matches: ANY_NODE_UTIL }],
});

/** Which source or sanitiser sets a tagged branch belongs to. */
export interface SetBranch {
  hit: string;
  keys: string[];
}

/**
 * One rule finding every node any of several source or sanitiser sets matches, and tagging it with
 * the branches that matched. Sets share branches (`[http]` and `[http, dom]`; `numeric` in several
 * sanitiser lists): each distinct branch is written once, as a utility rule, under `prefix`. The
 * branches sit behind one gate for all of them (most nodes fail it with one check); only a node that
 * matched a branch tries the tags, and captures `anyHit`.
 */
export function searchSets(
  sets: Iterable<[string, { rule: unknown; utils?: unknown }]>,
  prefix: string,
):
  | { rule: RuleObject; utils: RuleObject; branches: SetBranch[]; anyHit: string; kinds?: Set<string> }
  | undefined {
  const utils: RuleObject = { [ANY_NODE_UTIL]: ANY_NODE };
  const byId = new Map<string, SetBranch & { body: unknown; ref: RuleObject }>();
  for (const [key, cfg] of sets) {
    for (const branch of branchesOf(cfg.rule)) {
      const id = JSON.stringify([branch, cfg.utils ?? null]);
      let b = byId.get(id);
      if (!b) {
        const p = `${prefix}${byId.size}_`;
        Object.assign(utils, renameUtils(cfg.utils as RuleObject | undefined, p));
        utils[`branch:${p}`] = renameRule(branch, p);
        b = { body: branch, ref: { matches: `branch:${p}` }, hit: `${p}HIT`, keys: [] };
        byId.set(id, b);
      }
      b.keys.push(key);
    }
  }
  const list = [...byId.values()];
  if (list.length === 0) return undefined;
  const gate = setGate(list.map((b) => b.body));
  const anyHit = `${prefix}ANY_HIT`;
  const rule = {
    all: [
      ...(gate ? [gate] : []),
      { any: list.map((b) => b.ref) },
      { pattern: `$${anyHit}` },
      ...list.map((b) => tagged(b.ref, b.hit)),
    ],
  };
  // The node kinds a branch can match, when every branch names its kind: other nodes need no tags read.
  const named = list.map((b) => (b.body as RuleObject | null)?.kind);
  const kinds = named.every((k) => typeof k === 'string') ? new Set(named as string[]) : undefined;
  return {
    rule,
    utils,
    branches: list.map(({ hit, keys }) => ({ hit, keys })),
    anyHit,
    ...(kinds ? { kinds } : {}),
  };
}

/** The keys of the sets a node found by {@link searchSets} belongs to. */
export function setsOf(node: SgNode, search: { branches: SetBranch[]; anyHit: string }): Set<string> {
  const keys = new Set<string>();
  if (!node.getMatch(search.anyHit)) return keys;
  for (const b of search.branches) if (node.getMatch(b.hit)) for (const key of b.keys) keys.add(key);
  return keys;
}
