export { type ApiAuth, createApi, describeApiError, type GitLabApi, httpStatus } from './api.js';
export {
  type GitLabConnection,
  type ListApprovalsOptions,
  listApprovals,
  type ReviewPendingDeploymentOptions,
  type ReviewResult,
  reviewPendingDeployment,
} from './approvals.js';
export {
  createGitLabChangeRequests,
  type GitLabChangeRequestsOptions,
  gitBlobId,
  MR_DESCRIPTION_LIMIT,
} from './change-requests.js';
export { changedFilesFromMrDiffs, type MergeRequestDiff } from './diff.js';
export {
  type Env,
  type GitLabJobInfo,
  hostFromApiUrl,
  isGitLabCi,
  readJobInfo,
  toPlatformContext,
} from './env.js';
export * from './issues.js';
export {
  createGitLabLogger,
  type GitLabLoggerOptions,
  sectionEnd,
  sectionName,
  sectionStart,
  withGitLabSections,
} from './logger.js';
export { isOurNote, NOTE_MAX_ROWS, noteMarker, renderStageNote, STAGE_TITLES } from './note.js';
export {
  createGitLabPlatform,
  type GitLabPlatform,
  type GitLabPlatformOptions,
  TOKEN_VARIABLE,
} from './platform.js';
export {
  type ReportArtifact,
  renderAllTemplate,
  renderStageTemplate,
  renderTemplates,
  TEMPLATE_STAGES,
  type TemplateStage,
} from './templates.js';
