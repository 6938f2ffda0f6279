export { type CombinedMatcher, combineRules, renameMetavariables } from './combined.js';
export {
  ensureLanguages,
  type Grammar,
  grammarForPath,
  grammarFromShebang,
  LANGUAGES,
  type Language,
} from './languages.js';
export { applicableRules, WordIndex } from './prefilter.js';
export { type RuleFile, RuleFileSchema, TaintSpecSchema } from './rule-schema.js';
export {
  BUILTIN_RULES_DIR,
  builtinDigest,
  builtinRuleFiles,
  type CompiledRule,
  type LoadRulesOptions,
  loadRuleFile,
  loadRules,
  requiredWords,
  writeBuiltinRuleCache,
} from './rules.js';
export {
  DEFAULT_LIMITS,
  type FileInput,
  type FileResult,
  type ScanFilesOptions,
  type ScanLimits,
  type ScanStats,
  scanFile,
  scanFiles,
  scanSource,
  scanTree,
} from './scan.js';
export { type SastOptions, SastOptionsSchema, sastStage } from './stage.js';
export { TaintAnalyzer, type TaintState } from './taint.js';
