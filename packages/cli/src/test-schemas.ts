// The official SARIF and GitLab schemas live with the formats package's test fixtures.
export { validateGitlab, validateSarif } from '../../formats/src/test-validate.js';
