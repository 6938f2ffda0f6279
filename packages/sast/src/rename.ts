// Rules searched together in one ast-grep matcher (the combined rule search, the taint pass's file
// index) keep apart by renaming: each part's metavariables and utility names move under a prefix of
// its own, and a part that matched a node says so by capturing a metavariable of its own.

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

/** Matches the node when `body` does and then captures it as `hit`; otherwise matches anyway, capturing nothing. */
export const tagged = (body: unknown, hit: string) => ({
  any: [{ all: [body, { pattern: `$${hit}` }] }, { pattern: '$_' }],
});
