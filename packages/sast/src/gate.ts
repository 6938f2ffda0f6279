import type { RuleObject } from './rename.js';

// ast-grep tries every branch of an `any` on every node of a matching kind: a source set of eleven
// `member_expression` branches checks eleven property or object names on every member expression of
// a file, which cost more than parsing it. A gate in front of the set — each branch's kind with the
// name checks it starts with, merged into one regex per kind and field — rejects almost every node
// with one check, and leaves the branches to the few that pass. The gate is derived from the branches
// and only ever drops conditions from them, so it holds wherever a branch matches.

/** The part of a `has` rule kept in a gate: its field, kind, stop and name check, nested `has` included. */
function hasGate(has: unknown): RuleObject | undefined {
  if (!has || typeof has !== 'object' || Array.isArray(has)) return undefined;
  const h = has as RuleObject;
  const out: RuleObject = {};
  for (const key of ['field', 'kind', 'stopBy'] as const) if (typeof h[key] === 'string') out[key] = h[key];
  if (typeof h.regex === 'string') out.regex = h.regex;
  const inner = [h.has, ...(Array.isArray(h.all) ? h.all.map((a) => (a as RuleObject | null)?.has) : [])]
    .map(hasGate)
    .find((g) => g !== undefined);
  if (inner) out.has = inner;
  // A `has` that keeps no name check gates nothing worth its cost.
  return out.regex !== undefined || out.has ? out : undefined;
}

/** A branch's gate: its kind and the first name check of its own `has` (or of an `all` member's). */
function branchGate(branch: unknown): RuleObject | undefined {
  if (!branch || typeof branch !== 'object' || Array.isArray(branch)) return undefined;
  const b = branch as RuleObject;
  if (typeof b.kind !== 'string') return undefined;
  const candidates = [
    b.has,
    ...(Array.isArray(b.all) ? b.all.map((a) => (a as RuleObject | null)?.has) : []),
  ];
  for (const c of candidates) {
    const has = hasGate(c);
    if (has) return { kind: b.kind, has };
  }
  return { kind: b.kind };
}

/** The innermost `regex` of a gate and the gate without it (the key gates are merged by). */
function splitRegex(gate: RuleObject): { key: string; regex?: string } {
  let regex: string | undefined;
  const strip = (r: RuleObject): RuleObject => {
    const out: RuleObject = { ...r };
    if (out.has) out.has = strip(out.has as RuleObject);
    else if (typeof out.regex === 'string') {
      regex = out.regex;
      delete out.regex;
    }
    return out;
  };
  const key = JSON.stringify(strip(gate));
  return { key, regex };
}

function withRegex(gate: RuleObject, regex: string): RuleObject {
  const out: RuleObject = { ...gate };
  if (out.has) out.has = withRegex(out.has as RuleObject, regex);
  else out.regex = regex;
  return out;
}

/**
 * The merged gate of a set's branches (`{ any: gates }`), or undefined when a branch has no kind
 * (nothing cheap is known about it) or there are fewer than two branches.
 */
export function setGate(branches: readonly unknown[]): RuleObject | undefined {
  if (branches.length < 2) return undefined;
  const merged = new Map<string, { gate: RuleObject; regexes: Set<string> }>();
  for (const b of branches) {
    const gate = branchGate(b);
    if (!gate) return undefined;
    const { key, regex } = splitRegex(gate);
    const known = merged.get(key);
    if (known) {
      if (regex !== undefined) known.regexes.add(regex);
    } else merged.set(key, { gate, regexes: new Set(regex === undefined ? [] : [regex]) });
  }
  // A bare kind (a branch with no name check) admits every node of that kind: the kind's other
  // gates add nothing.
  const bareKinds = new Set([...merged.values()].filter((m) => !m.gate.has).map((m) => m.gate.kind));
  const gates: RuleObject[] = [];
  for (const [key, { gate, regexes }] of merged) {
    if (!gate.has) gates.push({ kind: gate.kind });
    else if (!bareKinds.has(gate.kind)) {
      gates.push(withRegex(JSON.parse(key) as RuleObject, [...regexes].map((r) => `(?:${r})`).join('|')));
    }
  }
  return { any: gates };
}

/** The branches of a set behind their merged gate: `{ all: [{ any: gates }, { any: branches }] }`. */
export function gatedSet(branches: unknown[]): unknown {
  const gate = setGate(branches);
  return gate ? { all: [gate, { any: branches }] } : { any: branches };
}

/** The branches of a set built by {@link gatedSet} (or of a plain `any`, or the rule itself). */
export function branchesOf(rule: unknown): unknown[] {
  const r = rule as RuleObject;
  if (Array.isArray(r.all) && r.all.length === 2 && Array.isArray((r.all[1] as RuleObject)?.any))
    return (r.all[1] as RuleObject).any as unknown[];
  if (Array.isArray(r.any)) return r.any;
  return [rule];
}
