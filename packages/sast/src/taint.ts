import { kind, type NapiConfig, type SgNode } from '@ast-grep/napi';
import { type Grammar, napiLang } from './languages.js';
import { searchSets, setsOf } from './rename.js';

/**
 * What flows into a sink argument, from most to least alarming. `tainted`: a declared source reaches
 * it; `unknown`: a non-literal whose origin is not visible in the function (parameter, call result,
 * global); `constant`: literals only, or only through a sanitiser.
 */
export type TaintState = 'tainted' | 'unknown' | 'constant';

const TAINTED = 2;
const UNKNOWN = 1;
const CONSTANT = 0;
const STATES: TaintState[] = ['constant', 'unknown', 'tainted'];

interface Binding {
  names: string[];
  value: SgNode;
  start: number;
}

interface LangSpec {
  functions: Set<string>;
  identifiers: Set<string>;
  /** Leaf kinds whose value is not known (e.g. `this`). Other non-identifier leaves are literals. */
  opaque: Set<string>;
  calls: Set<string>;
  bindingKinds: string[];
  /** Identifier nodes that name a property or keyword, not a variable. */
  /** Absent where identifiers are never names (asking a node for its parent walks down from the root). */
  isName?(node: SgNode, parent: SgNode | null): boolean;
  /** The called function's last name segment (`join` for `path.join(...)`). */
  callee(call: SgNode): string;
  /** Callee part of a call whose value still flows on (the receiver of a method call). */
  receiver(call: SgNode): SgNode | null;
  bindings(node: SgNode): Binding[];
  params(fn: SgNode): SgNode | null;
}

const isField = (parent: SgNode | null, field: string, node: SgNode): boolean => {
  if (!parent) return false;
  const f = parent.field(field as never) as SgNode | null;
  return !!f && f.id() === node.id();
};

function namesIn(pattern: SgNode | null, identKinds: string[]): string[] {
  if (!pattern) return [];
  if (identKinds.includes(pattern.kind() as string)) return [pattern.text()];
  // Assignments to `o.p` or `o[k]` taint `o` (field-insensitive).
  const k = pattern.kind() as string;
  if (
    /member_expression|subscript|attribute|selector_expression|field_access|index_expression|array_access/.test(
      k,
    )
  ) {
    let n: SgNode | null = pattern;
    while (n && !identKinds.includes(n.kind() as string)) n = n.namedChildren()[0] ?? null;
    return n ? [n.text()] : [];
  }
  return pattern
    .findAll({ rule: { any: identKinds.map((kind) => ({ kind })) } })
    .filter((id) => {
      const p = id.parent();
      // `{ key: name }` binds `name`, not `key`; default values are not bindings.
      return !(p && /pair_pattern|pair/.test(p.kind() as string) && isField(p, 'key', id));
    })
    .map((id) => id.text());
}

function pairwise(left: SgNode | null, right: SgNode | null, identKinds: string[], start: number): Binding[] {
  if (!left || !right) return [];
  const ls = left.namedChildren();
  const rs = right.namedChildren();
  const listy = /expression_list|pattern_list|tuple_pattern|tuple|array_pattern/;
  if (listy.test(left.kind() as string) && listy.test(right.kind() as string) && ls.length === rs.length) {
    return ls.map((l, i) => ({ names: namesIn(l, identKinds), value: rs[i]!, start }));
  }
  return [{ names: namesIn(left, identKinds), value: right, start }];
}

const JS_IDENTS = ['identifier', 'shorthand_property_identifier', 'shorthand_property_identifier_pattern'];

const JS: LangSpec = {
  functions: new Set([
    'function_declaration',
    'function_expression',
    'function',
    'arrow_function',
    'method_definition',
    'generator_function_declaration',
    'generator_function',
  ]),
  identifiers: new Set(JS_IDENTS),
  opaque: new Set(['this', 'super']),
  calls: new Set(['call_expression', 'new_expression']),
  bindingKinds: [
    'variable_declarator',
    'assignment_expression',
    'augmented_assignment_expression',
    'for_in_statement',
  ],
  callee: (call) =>
    lastSegment((call.field('function' as never) ?? call.field('constructor' as never)) as SgNode | null),
  receiver(call) {
    const fn = call.field('function' as never) as SgNode | null;
    if (fn && (fn.kind() as string) === 'member_expression')
      return fn.field('object' as never) as SgNode | null;
    return null;
  },
  bindings(node) {
    const start = node.range().start.index;
    if ((node.kind() as string) === 'variable_declarator') {
      const value = node.field('value' as never) as SgNode | null;
      return value ? [{ names: namesIn(node.field('name' as never), JS_IDENTS), value, start }] : [];
    }
    return pairwise(node.field('left' as never), node.field('right' as never), JS_IDENTS, start);
  },
  params: (fn) => (fn.field('parameters' as never) ?? fn.field('parameter' as never)) as SgNode | null,
};

const PY_IDENTS = ['identifier'];
const PY: LangSpec = {
  functions: new Set(['function_definition', 'lambda']),
  identifiers: new Set(PY_IDENTS),
  opaque: new Set([]),
  calls: new Set(['call']),
  bindingKinds: ['assignment', 'augmented_assignment', 'for_statement', 'named_expression', 'for_in_clause'],
  isName: (node, parent) =>
    !!parent &&
    (((parent.kind() as string) === 'attribute' && isField(parent, 'attribute', node)) ||
      ((parent.kind() as string) === 'keyword_argument' && isField(parent, 'name', node))),
  callee: (call) => lastSegment(call.field('function' as never) as SgNode | null),
  receiver(call) {
    const fn = call.field('function' as never) as SgNode | null;
    if (fn && (fn.kind() as string) === 'attribute') return fn.field('object' as never) as SgNode | null;
    return null;
  },
  bindings(node) {
    const start = node.range().start.index;
    if ((node.kind() as string) === 'named_expression') {
      const value = node.field('value' as never) as SgNode | null;
      return value ? [{ names: namesIn(node.field('name' as never), PY_IDENTS), value, start }] : [];
    }
    return pairwise(node.field('left' as never), node.field('right' as never), PY_IDENTS, start);
  },
  params: (fn) => fn.field('parameters' as never) as SgNode | null,
};

const GO_IDENTS = ['identifier'];
const GO: LangSpec = {
  functions: new Set(['function_declaration', 'method_declaration', 'func_literal']),
  identifiers: new Set(GO_IDENTS),
  opaque: new Set([]),
  calls: new Set(['call_expression']),
  bindingKinds: ['short_var_declaration', 'assignment_statement', 'var_spec', 'const_spec', 'range_clause'],
  callee: (call) => lastSegment(call.field('function' as never) as SgNode | null),
  receiver(call) {
    const fn = call.field('function' as never) as SgNode | null;
    if (fn && (fn.kind() as string) === 'selector_expression')
      return fn.field('operand' as never) as SgNode | null;
    return null;
  },
  bindings(node) {
    const start = node.range().start.index;
    if ((node.kind() as string) === 'var_spec' || (node.kind() as string) === 'const_spec') {
      const value = node.field('value' as never) as SgNode | null;
      if (!value) return [];
      const names = node.fieldChildren('name' as never) as SgNode[];
      return [{ names: names.map((n) => n.text()), value, start }];
    }
    return pairwise(node.field('left' as never), node.field('right' as never), GO_IDENTS, start);
  },
  params: (fn) => fn.field('parameters' as never) as SgNode | null,
};

const JAVA_IDENTS = ['identifier'];
const JAVA: LangSpec = {
  functions: new Set(['method_declaration', 'constructor_declaration', 'lambda_expression']),
  identifiers: new Set(JAVA_IDENTS),
  opaque: new Set(['this', 'super']),
  calls: new Set(['method_invocation', 'object_creation_expression']),
  bindingKinds: ['variable_declarator', 'assignment_expression', 'enhanced_for_statement'],
  isName: (node, parent) =>
    !!parent &&
    (((parent.kind() as string) === 'method_invocation' && isField(parent, 'name', node)) ||
      ((parent.kind() as string) === 'field_access' && isField(parent, 'field', node))),
  callee: (call) =>
    lastSegment(
      (((call.kind() as string) === 'method_invocation'
        ? call.field('name' as never)
        : call.field('type' as never)) ?? null) as SgNode | null,
    ),
  receiver(call) {
    if ((call.kind() as string) === 'method_invocation')
      return call.field('object' as never) as SgNode | null;
    return null;
  },
  bindings(node) {
    const start = node.range().start.index;
    if (
      (node.kind() as string) === 'variable_declarator' ||
      (node.kind() as string) === 'enhanced_for_statement'
    ) {
      const value = node.field('value' as never) as SgNode | null;
      return value ? [{ names: namesIn(node.field('name' as never), JAVA_IDENTS), value, start }] : [];
    }
    return pairwise(node.field('left' as never), node.field('right' as never), JAVA_IDENTS, start);
  },
  params: (fn) => fn.field('parameters' as never) as SgNode | null,
};

const SPECS: Record<Grammar, LangSpec> = {
  javascript: JS,
  typescript: JS,
  tsx: JS,
  python: PY,
  go: GO,
  java: JAVA,
};

// Node kinds that build a string from parts, and calls that format one.
const BUILDERS = new Set([
  'template_string',
  'binary_expression',
  'binary_operator',
  'string',
  'concatenated_string',
]);
const FORMAT_CALL = /^[\w.]*(\.format|Sprintf|String\.format|util\.format|format)\(/;

// Functions whose result carries their arguments' data (by the last segment of the callee's name).
const PROPAGATORS =
  /^(format|join|Join|concat|replace|replaceAll|sprintf|Sprintf|Sprint|Sprintln|Errorf|valueOf|toString|String|str|bytes|repr|trim|strip|lstrip|rstrip|lower|upper|toLowerCase|toUpperCase|encode|decode|split|slice|substring|substr|Clean|from|parse|loads|unquote|unquote_plus|unescape|decodeURIComponent|decodeURI|atob|btoa|resolve|normalize|normpath|abspath|assign|values|entries|keys|stringify|dumps|Buffer|URL|URLSearchParams|parse_qs|urlparse|urlsplit|ParseQuery|StringBuilder|append|fromString|TrimSpace|ToLower|ToUpper|TrimPrefix|TrimSuffix|Replace|ReplaceAll|Split|Fields|QueryUnescape|PathUnescape|b64decode|urlsafe_b64decode)$/;

const lastSegment = (n: SgNode | null): string => {
  const t = n?.text() ?? '';
  return t.slice(t.lastIndexOf('.') + 1).trim();
};

const FUNCTION_KINDS = new Map<Grammar, string[]>();

const GUARDS = new Set(['ternary_expression', 'conditional_expression']);

function containsSpan(spans: { start: number; end: number }[], n: SgNode): boolean {
  const r = n.range();
  return spans.some((s) => r.start.index <= s.start && s.end <= r.end.index);
}

interface Span {
  start: number;
  end: number;
}

/** A function of the file as a span, with the index of the innermost function around it (-1: none). */
interface FunctionSpan {
  node: SgNode;
  start: number;
  end: number;
  parent: number;
}

/** A binding node (declaration, assignment, loop variable), with the text of its bound side read on demand. */
interface BindingNode {
  node: SgNode;
  start: number;
  bound?: string;
}

/** The last index in `xs` (sorted by `start`) whose start is at most `index`, or -1. */
function lastStartingBy<T extends { start: number }>(xs: T[], index: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]!.start <= index) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Intra-procedural taint over one parsed file. Sources and sanitisers are found once per file (per
 * distinct set); each sink argument is then evaluated by walking its expression and following
 * identifiers back to their assignments in the enclosing functions, in source order.
 */
export class TaintAnalyzer {
  private readonly spec: LangSpec;
  private readonly matches = new Map<string, { ids: Set<number>; spans: Span[] }>();
  private readonly bindingCache = new Map<string, Binding[]>();
  private functionSpans?: FunctionSpan[];
  private bindingNodes?: BindingNode[];
  private readonly paramCache = new Map<number, SgNode[]>();
  private readonly scopeBindings = new Map<number, BindingNode[]>();

  /**
   * `sets`: the source and sanitiser sets the analyses of this file will use, by key. They are
   * searched together with the file's functions and bindings, in one traversal of the tree instead
   * of one per set (on a large file, each traversal costs milliseconds whatever it looks for).
   */
  constructor(
    private readonly root: SgNode,
    private readonly grammar: Grammar,
    private readonly sets: ReadonlyMap<string, NapiConfig> = new Map(),
  ) {
    this.spec = SPECS[grammar];
  }

  /** The function node kinds this grammar really has (a rule naming an unknown kind fails to compile). */
  private functionKinds(): string[] {
    let kinds = FUNCTION_KINDS.get(this.grammar);
    if (!kinds) {
      const lang = napiLang(this.grammar);
      kinds = [...this.spec.functions].filter((k) => kind(lang, k) !== 0);
      FUNCTION_KINDS.set(this.grammar, kinds);
    }
    return kinds;
  }

  /**
   * The file's functions from one search, in source order, each with its innermost enclosing
   * function: syntax nodes nest, so the functions around a position are one chain of parents.
   */
  private functions(): FunctionSpan[] {
    if (!this.functionSpans) this.index();
    return this.functionSpans!;
  }

  /**
   * One search of the file for its functions, its binding nodes and the source and sanitiser sets
   * named at construction. Functions come in source order, each with its innermost enclosing function:
   * syntax nodes nest, so the functions around a position are one chain of parents.
   */
  private index(): void {
    const functionKinds = new Set(this.functionKinds());
    const bindingKinds = new Set(this.spec.bindingKinds);
    const sets = [...this.sets].filter(([key]) => !this.matches.has(key));
    const search = searchSets(sets, 'Z');
    // The set branches come first: a node of a function or binding kind may match one too.
    const rule = {
      any: [
        ...(search ? [search.rule] : []),
        ...[...functionKinds, ...bindingKinds].map((kind) => ({ kind })),
      ],
    };
    const spans: FunctionSpan[] = [];
    const bindings: BindingNode[] = [];
    const found = new Map<string, SgNode[]>(sets.map(([key]) => [key, []]));
    for (const node of this.root.findAll({ rule, utils: search?.utils ?? {} } as NapiConfig)) {
      const k = node.kind() as string;
      if (functionKinds.has(k)) {
        const r = node.range();
        spans.push({ node, start: r.start.index, end: r.end.index, parent: -1 });
      } else if (bindingKinds.has(k)) bindings.push({ node, start: node.range().start.index });
      if (search && (!search.kinds || search.kinds.has(k)))
        for (const key of setsOf(node, search)) found.get(key)!.push(node);
    }
    for (const [key, nodes] of found) this.seed(key, nodes);
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const open: number[] = [];
    spans.forEach((f, i) => {
      while (open.length && spans[open[open.length - 1]!]!.end <= f.start) open.pop();
      f.parent = open.length ? open[open.length - 1]! : -1;
      open.push(i);
    });
    this.functionSpans = spans;
    this.bindingNodes = bindings.sort((a, b) => a.start - b.start);
  }

  /** The index of the innermost function around a position, or -1. */
  private innermostAt(index: number): number {
    const spans = this.functions();
    let i = lastStartingBy(spans, index);
    while (i >= 0 && spans[i]!.end <= index) i = spans[i]!.parent;
    return i;
  }

  /**
   * The functions enclosing a position, innermost first (walking each identifier's ancestors
   * instead was the slowest part of the analysis).
   */
  private scopesAt(index: number): SgNode[] {
    const spans = this.functions();
    const chain: SgNode[] = [];
    for (let i = this.innermostAt(index); i >= 0; i = spans[i]!.parent) chain.push(spans[i]!.node);
    return chain;
  }

  /**
   * The binding nodes in a scope: for a function, every one inside it; for the file, those outside
   * every function (a function's locals are not visible elsewhere). All come from one search of the
   * file, in source order.
   */
  private bindingNodesIn(scope: SgNode): BindingNode[] {
    if (!this.bindingNodes) this.index();
    const all = this.bindingNodes!;
    if (scope === this.root) return all.filter((b) => this.innermostAt(b.start) < 0);
    const r = scope.range();
    return all.slice(lastStartingBy(all, r.start.index - 1) + 1, lastStartingBy(all, r.end.index - 1) + 1);
  }

  private find(cfgKey: string | undefined, cfg: NapiConfig | undefined): { ids: Set<number>; spans: Span[] } {
    if (!cfgKey || !cfg) return { ids: new Set(), spans: [] };
    if (!this.matches.has(cfgKey) && this.sets.has(cfgKey) && !this.functionSpans) this.index();
    if (!this.matches.has(cfgKey)) this.seed(cfgKey, this.root.findAll(cfg));
    return this.matches.get(cfgKey)!;
  }

  /** Whether a source or sanitiser set (seeded, or named at construction) matches anywhere in the file. */
  hasMatches(cfgKey: string): boolean {
    return this.find(cfgKey, this.sets.get(cfgKey)).ids.size > 0;
  }

  /** Records the matches of a source or sanitiser set (found here, or by an earlier search of the same tree). */
  seed(cfgKey: string, nodes: SgNode[]): void {
    this.matches.set(cfgKey, {
      ids: new Set(nodes.map((n) => n.id())),
      spans: nodes.map((n) => {
        const r = n.range();
        return { start: r.start.index, end: r.end.index };
      }),
    });
  }

  /** Evaluates what reaches `arg` (the sink's dangerous argument). */
  evaluate(
    arg: SgNode,
    taint: { sources: NapiConfig; sanitizers?: NapiConfig; sourcesKey: string; sanitizersKey?: string },
  ): TaintState {
    return this.analyze(arg, taint).state;
  }

  /**
   * Like {@link evaluate}, and also says whether a non-constant value was built into a string on the
   * way (concatenation, template/f-string, format call): the SQL-injection shape even without a source.
   */
  analyze(
    arg: SgNode,
    taint: { sources: NapiConfig; sanitizers?: NapiConfig; sourcesKey: string; sanitizersKey?: string },
  ): { state: TaintState; built: boolean } {
    let built = false;
    const sources = this.find(taint.sourcesKey, taint.sources);
    const sanitizers = this.find(taint.sanitizersKey, taint.sanitizers);
    const stack = new Set<Binding>();
    let budget = 5000;
    const spec = this.spec;

    // The bindings of a name are built only from binding nodes whose bound side mentions it
    // (building every binding of a large function up front cost seconds per file).
    const bindingNodesOf = (scope: SgNode): BindingNode[] => {
      const id = scope.id();
      let nodes = this.scopeBindings.get(id);
      if (!nodes) {
        nodes = this.bindingNodesIn(scope);
        this.scopeBindings.set(id, nodes);
      }
      return nodes;
    };
    const bindingsOf = (scope: SgNode, name: string): Binding[] => {
      const cacheKey = `${scope.id()}:${name}`;
      let bs = this.bindingCache.get(cacheKey);
      if (!bs) {
        bs = bindingNodesOf(scope)
          .filter((b) => {
            if (b.bound === undefined) {
              const side = (b.node.field('name' as never) ?? b.node.field('left' as never)) as SgNode | null;
              b.bound = (side ?? b.node).text();
            }
            return b.bound.includes(name);
          })
          .flatMap((b) => spec.bindings(b.node))
          .filter((b) => b.names.includes(name));
        this.bindingCache.set(cacheKey, bs);
      }
      return bs;
    };

    const paramsOf = (scope: SgNode): SgNode[] => {
      const id = scope.id();
      let ps = this.paramCache.get(id);
      if (!ps) {
        const params = spec.params(scope);
        ps = params ? params.findAll({ rule: { any: [...spec.identifiers].map((kind) => ({ kind })) } }) : [];
        this.paramCache.set(id, ps);
      }
      return ps;
    };

    const inSource = (n: SgNode): boolean => {
      const r = n.range();
      return sources.spans.some((s) => s.start <= r.start.index && r.end.index <= s.end);
    };

    const lookup = (ident: SgNode): number => {
      const name = ident.text();
      const at = ident.range().start.index;
      const scopes = this.scopesAt(at);
      let innermost = true;
      for (const scope of [...scopes, this.root]) {
        const bs = bindingsOf(scope, name).filter((b) => !innermost || b.start < at);
        if (bs.length) {
          let worst = CONSTANT;
          for (const b of bs) {
            if (stack.has(b)) continue;
            stack.add(b);
            worst = Math.max(worst, evalNode(b.value));
            stack.delete(b);
            if (worst === TAINTED) break;
          }
          return worst;
        }
        if (scope !== this.root) {
          const p = paramsOf(scope).find((n) => n.text() === name);
          // A parameter declared inside a source match (an annotated Spring parameter, a route
          // parameter of a decorated view) carries untrusted data.
          if (p) return inSource(p) ? TAINTED : UNKNOWN;
        }
        innermost = false;
      }
      return UNKNOWN;
    };

    const evalNode = (n: SgNode): number => {
      if (--budget < 0) return UNKNOWN;
      // Node ids are unique within one tree, and every match here comes from the same tree.
      const id = n.id();
      if (sanitizers.ids.has(id)) return CONSTANT;
      if (sources.ids.has(id)) return TAINTED;
      const kind = n.kind() as string;
      if (kind === 'comment') return CONSTANT;
      if (spec.identifiers.has(kind)) {
        if (spec.isName?.(n, n.parent())) return CONSTANT;
        return lookup(n);
      }
      if (GUARDS.has(kind)) {
        // `ok(x) ? x : fallback`: a sanitiser/validator in the condition guards both branches.
        // Python's `a if cond else b` has no field names: the condition is the second child.
        const cond =
          (n.field('condition' as never) as SgNode | null) ??
          (kind === 'conditional_expression' ? (n.namedChildren()[1] ?? null) : null);
        if (cond && containsSpan(sanitizers.spans, cond)) return CONSTANT;
      }
      const children = n.namedChildren();
      if (children.length === 0) return spec.opaque.has(kind) ? UNKNOWN : CONSTANT;
      if (spec.calls.has(kind)) {
        // A method on a tainted value stays tainted (`req.query.x.trim()`); arguments carry taint
        // only through functions that build or convert values (format, join, path.join, JSON.parse...).
        // Any other call gives a value whose link to its arguments is unknown: reading the file a
        // request names is not the request's data.
        let worst = UNKNOWN;
        const recv = spec.receiver(n);
        if (recv) worst = Math.max(worst, evalNode(recv));
        const callee = spec.callee(n);
        const args = n.field('arguments' as never) as SgNode | null;
        if (args) {
          let fromArgs = CONSTANT;
          for (const a of args.namedChildren()) fromArgs = Math.max(fromArgs, evalNode(a));
          worst = Math.max(worst, PROPAGATORS.test(callee) ? fromArgs : Math.min(fromArgs, UNKNOWN));
        }
        // The call's own text can be a whole file (a wrapper function's call): read only for formatters.
        if (/(format|Sprintf)$/.test(callee) && FORMAT_CALL.test(n.text().slice(0, 80))) built = true;
        return worst;
      }
      let worst = CONSTANT;
      for (const c of children) {
        worst = Math.max(worst, evalNode(c));
        if (worst === TAINTED) break;
      }
      if (worst > CONSTANT && BUILDERS.has(kind) && !built) {
        built = kind !== 'string' || children.some((c) => (c.kind() as string) === 'interpolation');
      }
      return worst;
    };

    const state = STATES[evalNode(arg)]!;
    return { state, built };
  }
}
