export {
  type ApprovalQuery,
  type ApprovalRules,
  type CountedApprovals,
  countApprovals,
  type IgnoredApproval,
} from './approvals.js';
export {
  type ApprovalSource,
  DEPLOY_APPROVAL_RULES,
  type DeployApprovalRule,
  type EvaluateInput,
  type Evaluation,
  evaluatePolicy,
  type Reason,
  suppressionExpired,
} from './evaluate.js';
export {
  type ApproverEvidence,
  appendEvidence,
  canonicalJson,
  describeVerifyResult,
  digestOf,
  EVIDENCE_VERSION,
  type EvidenceBody,
  EvidenceLogError,
  type EvidenceProblem,
  type EvidenceRecord,
  GENESIS_DIGEST,
  type ReportEvidence,
  recordDigest,
  type SuppressionEvidence,
  sha256,
  type VerifyResult,
  verifyEvidenceLog,
  verifyEvidenceText,
  writeEvidence,
} from './evidence.js';
export { activeFreezes, describeFreeze, inFreeze, type LocalTime, localTime } from './freeze.js';
export {
  DateFreezeSchema,
  type DeployApprovalOptions,
  DeployApprovalOptionsSchema,
  type EnvironmentPolicy,
  EnvironmentPolicySchema,
  type FreezeWindow,
  FreezeWindowSchema,
  optionsMarkdownTables,
  REQUIRABLE_STAGES,
  WEEKDAYS,
  type Weekday,
  WeeklyFreezeSchema,
} from './options.js';
export { parseRef, type RefName, refAllowed } from './refs.js';
export { type LoadedReport, loadReports, readReport } from './reports.js';
export {
  createDeployApprovalStage,
  type DeployApprovalExtras,
  type DeployDecision,
  deployApprovalStage,
  packageVersion,
  runDeployApproval,
} from './stage.js';
export { formatDecision } from './summary.js';
