export {
  type ActionPipelineOptions,
  type ActionPipelineResult,
  COMMON_INPUTS,
  findingCounts,
  input,
  type RunActionOptions,
  readActionInputs,
  runAction,
  STAGE_INPUTS,
  type StageInput,
} from './action.js';
export {
  ANNOTATION_LIMITS,
  type Annotation,
  type AnnotationLevel,
  annotationLevel,
  selectAnnotations,
} from './annotations.js';
export * from './approvals.js';
export {
  createGitHubChangeRequests,
  type GitHubChangeRequestsOptions,
  PULL_BODY_LIMIT,
} from './change-requests.js';
export { gitChangedLines, PULL_FILES_CAP, pullRequestChangedLines } from './changed-lines.js';
export {
  type Env,
  type GitHubContext,
  isGitHubActions,
  readEventPayload,
  readGitHubContext,
} from './context.js';
export * from './issues.js';
export { hashFileLines, hashLines, LineHasher } from './line-hash.js';
export { createActionsLogger, writeUntrusted } from './logger.js';
export { ensureNativeModules, type NativeOptions, type NativePin } from './native.js';
export { createGitHubPlatform, type GitHubPlatform, type GitHubPlatformOptions } from './platform.js';
export { COMMENT_LIMIT_CHARS, SUMMARY_LIMIT_BYTES, type SummaryOptions, summaryMarkdown } from './publish.js';
export { addLineHashes, assignCategories, SARIF_LIMITS, type SarifLimits, splitSarif } from './sarif.js';
