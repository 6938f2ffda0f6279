export {
  COVERAGE_FORMATS,
  type CoverageData,
  type CoverageFormat,
  type CoverageTotals,
  coveragePath,
  detectCoverageFormat,
  type FileCoverage,
  mergeCoverage,
  percent,
  type ReadCoverageOptions,
  readCobertura,
  readCoverage,
  readGoCover,
  readIstanbulSummary,
  readJacoco,
  readLcov,
  totalsOf,
} from './coverage.js';
export {
  type JUnitSummary,
  lineFromText,
  type ReadJUnitOptions,
  readJUnit,
  type TestCaseResult,
  type TestCounts,
  type TestStatus,
} from './junit.js';
export { findFileCoverage, formatLineRanges, type NewCodeCoverage, newCodeCoverage } from './new-code.js';
export {
  type CoverageInput,
  CoverageInputSchema,
  optionsMarkdownTable,
  QuarantineEntrySchema,
  type TestGateOptions,
  TestGateOptionsSchema,
} from './options.js';
export { compileQuarantine, findQuarantine, type QuarantineEntry, testPattern } from './quarantine.js';
export { displayName, failureMessage, runTestGate, TEST_GATE_RULES, testGateStage } from './stage.js';
export { type SummaryOptions, testGateSummary } from './summary.js';
export { type ParseXmlOptions, parseXml, type XmlHandlers, type XmlInput } from './xml.js';
