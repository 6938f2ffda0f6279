import type { NapiConfig, SgNode } from '@ast-grep/napi';
import type { FindingDraft, Severity } from '@devsecflow/core';
import { type Grammar, grammarsOf } from './languages.js';
import {
  ANY_NODE,
  ANY_NODE_UTIL,
  type RuleObject,
  renameRule,
  renameUtils,
  type SetBranch,
  searchSets,
  setsOf,
  tagged,
} from './rename.js';
import type { CompiledRule } from './rules.js';
import { TaintAnalyzer } from './taint.js';

export { renameMetavariables, renameRule } from './rename.js';

// ast-grep's napi compiles a matcher (regexes included) on every `findAll` call, and every call walks
// the whole tree again: per file, the cost grew with the number of rules. So every rule a batch needs
// is folded into ONE matcher, compiled once per batch of files and run in one traversal. Each part
// captures a metavariable of its own only when it matches,
// which tells afterwards what matched a node; each rule's own metavariables are renamed apart so
// that parts never constrain each other.

/** One rule inside a combined matcher. */
export interface RuleSlot {
  rule: CompiledRule;
  /** Prefix of this rule's renamed metavariables (`$ARG` is captured as `$<prefix>ARG`). */
  prefix: string;
  /** Metavariable captured on a node this rule's matcher accepts. */
  hit: string;
}

/** Parts tagged together: `hit` is captured when any member matched. */
interface RuleGroup {
  hit: string;
  members: string[];
}

const GROUP_SIZE = 8;

/** A rule's matcher, with the metavariable it is tagged with. */
interface Part {
  hit: string;
  body: unknown;
}

export interface CombinedMatcher {
  grammar: Grammar;
  /** The one config to hand to ast-grep. */
  config: NapiConfig;
  rules: RuleSlot[];
  /** The taint source sets of the rules, searched with them (see {@link searchSets}). */
  sources?: { branches: SetBranch[]; anyHit: string };
  /** Tag groups, in order. */
  groups: RuleGroup[];
  /** Captured on parser error nodes. */
  errorHit: string;
}

// Combined matchers by grammar and rule identities: batches of files that need the same rules
// share one. Bounded, as a long scan may see many different rule sets.
const ruleIds = new WeakMap<CompiledRule, number>();
let nextRuleId = 0;
const cache = new Map<string, CombinedMatcher>();
const CACHE_MAX = 512;

/**
 * The combined matcher of the rules that apply to `grammar`, in their order. Constraints are left
 * out of the combined config, since one rule's failing constraint would drop the node for every
 * rule; {@link matchNodes} checks them per rule afterwards.
 */
export function combineRules(rules: CompiledRule[], grammar: Grammar): CombinedMatcher {
  const key = `${grammar}:${rules
    .map((r) => {
      let id = ruleIds.get(r);
      if (id === undefined) {
        id = nextRuleId++;
        ruleIds.set(r, id);
      }
      return id;
    })
    .join(',')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (cache.size >= CACHE_MAX) cache.clear();
  // Every part in order: a rule's matcher, with the metavariable it is tagged with.
  const parts: Part[] = [];
  const utils: RuleObject = {};
  const slots: RuleSlot[] = [];
  const sourceSets = new Map<string, NapiConfig>();
  for (const rule of rules) {
    if (!grammarsOf(rule.language).includes(grammar)) continue;
    const prefix = `R${slots.length}_`;
    const slot = { rule, prefix, hit: `${prefix}HIT` };
    slots.push(slot);
    const body = renameRule(rule.matcher.rule, prefix);
    Object.assign(utils, renameUtils(rule.matcher.utils as RuleObject | undefined, prefix));
    parts.push({ hit: slot.hit, body });
    if (rule.taint) sourceSets.set(rule.taint.sourcesKey, rule.taint.sources);
  }
  const errorHit = 'ERROR_HIT';
  parts.push({ hit: errorHit, body: { kind: 'ERROR' } });
  // Taint sources are searched with the rules, on ast-grep's threads: whether a file has any decides
  // whether a rule that reports only visible sources runs at all, and the taint pass needs them
  // wherever a sink matched. Behind one gate for all their branches they cost little here; searched
  // file by file on this thread, they cost more than the rest of the analysis. (Sanitisers, needed
  // only where an analysis runs, are searched by the taint pass.)
  const sources = searchSets(sourceSets, 'S');
  if (sources) Object.assign(utils, sources.utils);
  // Each part's body is written once, as a utility rule, and referred to by name: ast-grep then
  // converts and compiles it once, not once per place it is used.
  const ref = (part: Part) => ({ matches: `part:${part.hit}` });
  for (const part of parts) utils[`part:${part.hit}`] = part.body;
  utils[ANY_NODE_UTIL] = ANY_NODE;
  // The search is one flat `any` of every part, so ast-grep skips nodes of kinds no part can match.
  // Only on a node that matched are the tags tried (`all` stops at the first failure): parts are
  // tagged in groups, each group's parts tried only when the group matched, so reading back which
  // parts matched a node costs a few lookups instead of one per part.
  const groups: RuleGroup[] = [];
  const branches: unknown[] = [];
  for (let i = 0; i < parts.length; i += GROUP_SIZE) {
    const group = parts.slice(i, i + GROUP_SIZE);
    const hit = `G${groups.length}_HIT`;
    groups.push({ hit, members: group.map((m) => m.hit) });
    branches.push(
      tagged({ all: [{ any: group.map(ref) }, ...group.map((m) => tagged(ref(m), m.hit))] }, hit),
    );
  }
  const any = [...parts.map(ref), ...(sources ? [sources.rule] : [])];
  // A node a rule matched may be a source too, and `any` stops at its first match: the sources are
  // tried again, for their tags, on every node that matched anything.
  if (sources) branches.push({ any: [sources.rule, { matches: ANY_NODE_UTIL }] });
  const combined: CombinedMatcher = {
    grammar,
    config: { rule: { all: [{ any }, ...branches] }, utils } as NapiConfig,
    rules: slots,
    ...(sources ? { sources: { branches: sources.branches, anyHit: sources.anyHit } } : {}),
    groups,
    errorHit,
  };
  cache.set(key, combined);
  return combined;
}

/** What one file's matches amount to. */
export interface MatchedFile {
  findings: FindingDraft[];
  /** 1-based line of the first parser error node, when the file did not parse cleanly. */
  syntaxErrorLine?: number;
}

const LOWER: Record<Severity, Severity> = {
  critical: 'high',
  high: 'medium',
  medium: 'low',
  low: 'low',
  info: 'info',
};

export type DraftFn = (
  slot: RuleSlot,
  node: SgNode,
  confidence: CompiledRule['confidence'],
  severity: Severity,
  flow?: string,
) => FindingDraft;

/** True when every constraint of the rule holds for what its renamed metavariables captured. */
function constraintsHold(slot: RuleSlot, node: SgNode): boolean {
  const constraints = slot.rule.matcher.constraints as Record<string, unknown> | undefined;
  if (!constraints) return true;
  for (const [name, rule] of Object.entries(constraints)) {
    const captured = node.getMatch(`${slot.prefix}${name}`);
    if (captured && !captured.matches({ rule, utils: slot.rule.matcher.utils } as NapiConfig)) return false;
  }
  return true;
}

/**
 * Turns the nodes one combined search returned for a file into findings: attributes each node to
 * the rules that matched it, checks constraints, and runs the taint analysis of source-to-sink
 * rules.
 */
export function matchNodes(nodes: SgNode[], combined: CombinedMatcher, draft: DraftFn): MatchedFile {
  const byRule = new Map<RuleSlot, SgNode[]>();
  let errorLine: number | undefined;
  const slotOf = new Map<string, RuleSlot>(combined.rules.map((r) => [r.hit, r]));
  const bySource = new Map<string, SgNode[]>();
  for (const node of nodes) {
    if (combined.sources) {
      for (const key of setsOf(node, combined.sources)) {
        const list = bySource.get(key);
        if (list) list.push(node);
        else bySource.set(key, [node]);
      }
    }
    if (errorLine === undefined && node.getMatch(combined.errorHit)) errorLine = node.range().start.line + 1;
    for (const group of combined.groups) {
      if (!node.getMatch(group.hit)) continue;
      for (const hit of group.members) {
        if (hit === combined.errorHit || !node.getMatch(hit)) continue;
        const slot = slotOf.get(hit)!;
        const list = byRule.get(slot);
        if (list) list.push(node);
        else byRule.set(slot, [node]);
      }
    }
  }
  const findings: FindingDraft[] = [];
  let taint: TaintAnalyzer | undefined;
  const analyzer = (): TaintAnalyzer => {
    if (taint) return taint;
    const top = nodes[0]!.getRoot().root();
    // The sanitiser sets of every rule with a sink here, searched in one go; the sources came with
    // the rules' own search.
    const sets = new Map<string, NapiConfig>();
    for (const { rule } of byRule.keys()) {
      if (!rule.taint) continue;
      sets.set(rule.taint.sourcesKey, rule.taint.sources);
      if (rule.taint.sanitizersKey && rule.taint.sanitizers)
        sets.set(rule.taint.sanitizersKey, rule.taint.sanitizers);
    }
    taint = new TaintAnalyzer(top, combined.grammar, sets);
    for (const { rule } of byRule.keys())
      if (rule.taint) taint.seed(rule.taint.sourcesKey, bySource.get(rule.taint.sourcesKey) ?? []);
    return taint;
  };
  for (const [slot, hits] of byRule) {
    const { rule } = slot;
    const seen = new Set<string>();
    for (const node of hits) {
      const r = node.range();
      const at = `${r.start.index}:${r.end.index}`;
      if (seen.has(at) || !constraintsHold(slot, node)) continue;
      seen.add(at);
      if (!rule.taint) {
        findings.push(draft(slot, node, rule.confidence, rule.severity));
        continue;
      }
      // A rule that only reports visible sources has nothing to find in a file without any.
      if (rule.taint.reportUnknown === false && !analyzer().hasMatches(rule.taint.sourcesKey)) break;
      // Without $ARG the whole match is checked; for a call, that means its arguments.
      const arg =
        node.getMatch(`${slot.prefix}ARG`) ?? (node.field('arguments' as never) as SgNode | null) ?? node;
      const { state, built } = analyzer().analyze(arg, rule.taint);
      const unknownWanted = rule.taint.reportUnknown === 'concatenation' ? built : rule.taint.reportUnknown;
      if (state === 'tainted')
        findings.push(draft(slot, node, rule.confidence, rule.severity, 'source-reached'));
      else if (state === 'unknown' && unknownWanted) {
        findings.push(draft(slot, node, 'low', LOWER[rule.severity], 'source-not-visible'));
      }
    }
  }
  return { findings, ...(errorLine !== undefined ? { syntaxErrorLine: errorLine } : {}) };
}
