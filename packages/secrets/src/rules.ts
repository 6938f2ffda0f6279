import type { Confidence, Severity } from '@devsecflow/core';

/** Checks a format can carry beyond its regex (checksums, structure). See validators.ts. */
export type ValidatorId =
  | 'github-crc32'
  | 'npm-crc32'
  | 'jwt-credentials'
  | 'generic-password'
  | 'generic-secret'
  | 'docker-auth'
  | 'aws-secret';

export type RuleCategory = 'provider' | 'private-key' | 'jwt' | 'url' | 'generic';

/**
 * One secret rule, as data. The regex runs only on text that contains one of `keywords`
 * (lower-case substrings every match contains), so a keyword list must cover every way the
 * pattern can match. The secret is the named group `secret` (or the whole match).
 */
export interface SecretRule {
  id: string;
  title: string;
  provider: string;
  category: RuleCategory;
  /** Regex source (no flags other than `flags`); patterns are written so no input makes them backtrack badly. */
  pattern: string;
  flags?: string;
  keywords: readonly string[];
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  severity: Severity;
  confidence: Confidence;
  /** Provider documentation of the format or of revoking it. */
  docs: string;
  validator?: ValidatorId;
  /** Only files whose path matches this regex source. */
  paths?: string;
  /** Regex sources of values that are documented examples for this rule. */
  allow?: readonly string[];
  /**
   * Every match starts with one of `keywords` (case-insensitively), as in `password = "..."`: the
   * regex is then tried only where the prefilter saw a keyword start, instead of at every position
   * of the text. Worth it for patterns that begin with a case-insensitive word, which the regex
   * engine cannot skip ahead to; a test checks the claim against every fixture.
   */
  anchored?: boolean;
  /** Drop values that look like placeholders or variable references (generic rules). */
  placeholderCheck?: boolean;
  /**
   * Context checks: named group -> regex source (case-insensitive). A match whose group matches is
   * dropped, e.g. `key` (the variable name) `private_key_id`, or `host` `example.com`.
   */
  deny?: Readonly<Record<string, string>>;
}

/** Names that hold identifiers, not secrets: `private_key_id`, `tokenUrl`, `secretName`, `password_length`. */
const NOT_SECRET_KEY = `(?:[_.-]?(?:id|ids|name|names|url|uri|endpoint|file|path|dir|type|kind|length|size|count|format|header|prefix|field|label|hint|policy|expiry|expires|ttl|timeout|version|hash|regex|pattern))$`;

// Token boundaries: a token never starts or ends in the middle of a longer run of token
// characters. Besides cutting false positives, the left guard keeps every pattern linear: in a
// long run of token characters only the first position can start a match attempt.
const L = '(?<![A-Za-z0-9_])';
const LD = '(?<![A-Za-z0-9_-])';
const R = '(?![A-Za-z0-9_])';
const RD = '(?![A-Za-z0-9_-])';

/** A prefixed token: `<boundary>(?<secret>body)<boundary>`. */
function tok(body: string, right = R, left = L): string {
  return `${left}(?<secret>${body})${right}`;
}

/** Case-insensitive literal without the `i` flag (so the value part stays case-sensitive). */
export function ci(word: string): string {
  return word.replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).replace(/\./g, '\\.');
}

const ASSIGN = String.raw`[\w.-]{0,25}[\s'"\x60]{0,3}(?:=|:=|:|=>|\?=|,)[\s'"\x60]{0,5}`;

/**
 * A value that only counts next to a context word: `HEROKU_API_KEY = "<value>"`, `datadog: <value>`.
 * `context` is a regex alternation (use ci() for words).
 */
function assigned(context: string, value: string, right = `(?![A-Za-z0-9_+/=-])`): string {
  return `(?:${context})${ASSIGN}(?<secret>${value})${right}`;
}

const HEX = '[0-9a-f]';
const UUID = `${HEX}{8}-${HEX}{4}-${HEX}{4}-${HEX}{4}-${HEX}{12}`;
const B62 = '[A-Za-z0-9]';
const URLSAFE = '[A-Za-z0-9_-]';

const GH_DOCS =
  'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats';
const GL_DOCS = 'https://docs.gitlab.com/security/tokens/#token-prefixes';
const SLACK_DOCS = 'https://api.slack.com/concepts/token-types';
const SHOPIFY_DOCS = 'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens';
const DO_DOCS = 'https://docs.digitalocean.com/reference/api/create-personal-access-token/';

function githubClassic(id: string, prefix: string, title: string): SecretRule {
  return {
    id,
    title,
    provider: 'GitHub',
    category: 'provider',
    pattern: tok(`${prefix}_${B62}{36}`),
    keywords: [`${prefix}_`],
    severity: 'critical',
    confidence: 'high',
    docs: GH_DOCS,
    validator: 'github-crc32',
  };
}

function gitlab(
  id: string,
  prefix: string,
  body: string,
  title: string,
  severity: Severity = 'critical',
): SecretRule {
  return {
    id,
    title,
    provider: 'GitLab',
    category: 'provider',
    pattern: tok(`${prefix}${body}`, RD),
    keywords: [prefix.toLowerCase()],
    entropy: 3,
    severity,
    confidence: 'high',
    docs: GL_DOCS,
  };
}

function simple(
  id: string,
  provider: string,
  title: string,
  prefix: string,
  body: string,
  docs: string,
  extra: Partial<SecretRule> = {},
): SecretRule {
  return {
    id,
    title,
    provider,
    category: 'provider',
    pattern: tok(
      `${prefix.replace(/[.]/g, '\\.')}${body}`,
      body.includes('-') ? RD : R,
      prefix.startsWith('-') ? LD : L,
    ),
    keywords: [prefix.toLowerCase()],
    // The match starts with the prefix: common ones (Twilio's `SK`) are then cheap to look for.
    anchored: true,
    entropy: 3,
    severity: 'high',
    confidence: 'high',
    docs,
    ...extra,
  };
}

const PEM_BODY = String.raw`(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----)){40,16000}?`;

/** Every rule DevSecFlow ships, most specific first: when two matches overlap, the earlier rule wins. */
export const RULES: readonly SecretRule[] = [
  // --- GitHub (classic formats carry a CRC32 checksum) ---
  githubClassic('github-pat', 'ghp', 'GitHub personal access token (classic)'),
  githubClassic('github-oauth-token', 'gho', 'GitHub OAuth access token'),
  githubClassic('github-user-to-server-token', 'ghu', 'GitHub App user-to-server token'),
  githubClassic('github-server-to-server-token', 'ghs', 'GitHub App installation token'),
  githubClassic('github-refresh-token', 'ghr', 'GitHub App refresh token'),
  {
    id: 'github-fine-grained-pat',
    title: 'GitHub fine-grained personal access token',
    provider: 'GitHub',
    category: 'provider',
    pattern: tok(`github_pat_${B62}{22}_${B62}{59}`),
    keywords: ['github_pat_'],
    entropy: 3,
    severity: 'critical',
    confidence: 'high',
    docs: GH_DOCS,
  },
  // --- GitLab ---
  gitlab(
    'gitlab-pat-routable',
    'glpat-',
    String.raw`${URLSAFE}{27,300}\.[0-9a-z]{2}\.?[0-9a-z]{7}`,
    'GitLab personal access token (routable)',
  ),
  gitlab('gitlab-pat', 'glpat-', `${URLSAFE}{20}`, 'GitLab personal access token'),
  gitlab('gitlab-deploy-token', 'gldt-', `${URLSAFE}{20,300}`, 'GitLab deploy token'),
  gitlab(
    'gitlab-runner-token',
    'glrt-',
    String.raw`${URLSAFE}{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7})?`,
    'GitLab runner authentication token',
  ),
  gitlab(
    'gitlab-runner-registration-token',
    'GR1348941',
    `${URLSAFE}{20}`,
    'GitLab runner registration token',
  ),
  gitlab('gitlab-pipeline-trigger-token', 'glptt-', `${HEX}{40}`, 'GitLab pipeline trigger token', 'high'),
  gitlab('gitlab-ci-job-token', 'glcbt-', `${B62}{1,5}_${URLSAFE}{20,300}`, 'GitLab CI/CD job token', 'high'),
  gitlab('gitlab-scim-token', 'glsoat-', `${URLSAFE}{20,300}`, 'GitLab SCIM OAuth token'),
  gitlab(
    'gitlab-feature-flag-token',
    'glffct-',
    `${URLSAFE}{20,300}`,
    'GitLab feature flags client token',
    'medium',
  ),
  gitlab('gitlab-feed-token', 'glft-', `${URLSAFE}{20,300}`, 'GitLab feed token', 'medium'),
  gitlab(
    'gitlab-incoming-mail-token',
    'glimt-',
    `${URLSAFE}{25,300}`,
    'GitLab incoming mail token',
    'medium',
  ),
  gitlab('gitlab-agent-token', 'glagent-', `${URLSAFE}{50,300}`, 'GitLab agent for Kubernetes token'),
  gitlab('gitlab-oauth-app-secret', 'gloas-', `${URLSAFE}{64,300}`, 'GitLab OAuth application secret'),
  // --- Package registries ---
  {
    id: 'npm-access-token',
    title: 'npm access token',
    provider: 'npm',
    category: 'provider',
    pattern: tok(`npm_${B62}{36}`),
    keywords: ['npm_'],
    severity: 'critical',
    confidence: 'high',
    docs: 'https://docs.npmjs.com/about-access-tokens',
    validator: 'npm-crc32',
  },
  {
    id: 'npmrc-auth-token',
    title: 'npm registry auth token in .npmrc',
    provider: 'npm',
    category: 'provider',
    pattern: String.raw`_authToken\s{0,3}=\s{0,3}["']?(?<secret>[A-Za-z0-9_+/=.-]{20,500})(?![A-Za-z0-9_+/=.-])`,
    keywords: ['_authtoken'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'medium',
    docs: 'https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration',
    placeholderCheck: true,
  },
  simple(
    'pypi-upload-token',
    'PyPI',
    'PyPI API token',
    'pypi-AgEIcHlwaS5vcmc',
    `${URLSAFE}{50,1000}`,
    'https://pypi.org/help/#apitoken',
    {
      severity: 'critical',
    },
  ),
  simple(
    'pypi-test-upload-token',
    'PyPI',
    'TestPyPI API token',
    'pypi-AgENdGVzdC5weXBpLm9yZw',
    `${URLSAFE}{50,1000}`,
    'https://test.pypi.org/help/#apitoken',
    { severity: 'medium' },
  ),
  simple(
    'rubygems-api-token',
    'RubyGems',
    'RubyGems API key',
    'rubygems_',
    `${HEX}{48}`,
    'https://guides.rubygems.org/api-key-scopes/',
    {
      severity: 'critical',
    },
  ),
  simple(
    'clojars-api-token',
    'Clojars',
    'Clojars deploy token',
    'CLOJARS_',
    '[a-z0-9]{60}',
    'https://github.com/clojars/clojars-web/wiki/Deploy-Tokens',
  ),
  // --- AWS ---
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    provider: 'AWS',
    category: 'provider',
    pattern: tok('(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}', '(?![A-Za-z0-9])', '(?<![A-Za-z0-9])'),
    keywords: ['akia', 'asia', 'abia', 'acca'],
    entropy: 3,
    severity: 'high',
    confidence: 'high',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids',
    allow: ['EXAMPLE$'],
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    provider: 'AWS',
    category: 'provider',
    pattern: assigned(
      `${ci('aws')}[\\w.-]{0,15}${ci('secret')}|${ci('secret')}[_.-]?${ci('access')}[_.-]?${ci('key')}`,
      '[A-Za-z0-9/+]{40}',
    ),
    anchored: true,
    keywords: ['aws', 'secret'],
    entropy: 4,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
    validator: 'aws-secret',
    allow: ['EXAMPLEKEY$'],
  },
  {
    id: 'aws-session-token',
    title: 'AWS session token',
    provider: 'AWS',
    category: 'provider',
    pattern: assigned(
      `${ci('aws')}[_.-]?${ci('session')}[_.-]?${ci('token')}|${ci('aws')}[_.-]?${ci('security')}[_.-]?${ci('token')}|${ci('x-amz-security-token')}`,
      '[A-Za-z0-9/+=]{100,4000}',
    ),
    anchored: true,
    keywords: ['aws', 'x-amz-security-token'],
    entropy: 4,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html',
  },
  simple(
    'aws-mws-key',
    'AWS',
    'Amazon MWS auth token',
    'amzn.mws.',
    UUID,
    'https://developer-docs.amazon.com/sp-api/docs/',
  ),
  // --- Google Cloud ---
  {
    id: 'gcp-service-account-key',
    title: 'Google Cloud service account private key (JSON key file)',
    provider: 'Google Cloud',
    category: 'private-key',
    pattern: String.raw`"private_key"\s{0,5}:\s{0,5}"(?<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\[nr]|[A-Za-z0-9+/=]){64,16000}?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)"`,
    keywords: ['"private_key"'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://cloud.google.com/iam/docs/keys-create-delete',
  },
  simple(
    'gcp-api-key',
    'Google Cloud',
    'Google API key',
    'AIza',
    `${URLSAFE}{35}`,
    'https://cloud.google.com/docs/authentication/api-keys',
    {
      entropy: 3.5,
      severity: 'medium',
    },
  ),
  simple(
    'google-oauth-client-secret',
    'Google Cloud',
    'Google OAuth client secret',
    'GOCSPX-',
    `${URLSAFE}{28}`,
    'https://support.google.com/cloud/answer/6158849',
  ),
  // --- Azure ---
  {
    id: 'azure-storage-account-key',
    title: 'Azure storage account key in a connection string',
    provider: 'Azure',
    category: 'provider',
    pattern: String.raw`${ci('AccountKey')}\s{0,3}=\s{0,3}(?<secret>[A-Za-z0-9+/]{86}==)`,
    keywords: ['accountkey'],
    entropy: 4,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage',
    allow: ['^Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==$'],
  },
  {
    id: 'azure-shared-access-key',
    title: 'Azure Service Bus / Event Hubs / IoT shared access key',
    provider: 'Azure',
    category: 'provider',
    pattern: String.raw`${ci('SharedAccessKey')}\s{0,3}=\s{0,3}(?<secret>[A-Za-z0-9+/]{42,43}=)`,
    keywords: ['sharedaccesskey'],
    entropy: 4,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas',
  },
  {
    id: 'azure-sas-token',
    title: 'Azure shared access signature (SAS) token',
    provider: 'Azure',
    category: 'provider',
    pattern: String.raw`(?<![A-Za-z0-9])sv=\d{4}-\d{2}-\d{2}&[^\s"'<>\x60]{0,400}?(?<![A-Za-z0-9])sig=(?<secret>[A-Za-z0-9%+/]{40,120})`,
    keywords: ['sig='],
    entropy: 4,
    severity: 'high',
    confidence: 'high',
    docs: 'https://learn.microsoft.com/azure/storage/common/storage-sas-overview',
  },
  {
    id: 'azure-ad-client-secret',
    title: 'Microsoft Entra ID (Azure AD) client secret',
    provider: 'Azure',
    category: 'provider',
    pattern: tok(
      String.raw`[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}`,
      '(?![A-Za-z0-9_~.-])',
      '(?<![A-Za-z0-9_~.-])',
    ),
    keywords: ['q~'],
    entropy: 3,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials',
  },
  {
    id: 'azure-devops-pat',
    title: 'Azure DevOps personal access token',
    provider: 'Azure',
    category: 'provider',
    pattern: assigned(
      `${ci('devops')}|${ci('ado')}[_.-]?${ci('pat')}|${ci('vsts')}`,
      '[a-z2-7]{52}|[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}',
    ),
    anchored: true,
    keywords: ['devops', 'adopat', 'ado_pat', 'ado.pat', 'ado-pat', 'vsts'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'medium',
    docs: 'https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate',
  },
  // --- Slack ---
  simple(
    'slack-bot-token',
    'Slack',
    'Slack bot token',
    'xoxb-',
    `[0-9]{10,13}-[0-9]{10,13}-${B62}{20,32}`,
    SLACK_DOCS,
    {
      severity: 'critical',
    },
  ),
  simple(
    'slack-user-token',
    'Slack',
    'Slack user token',
    'xoxp-',
    `[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-${HEX}{32}`,
    SLACK_DOCS,
    {
      severity: 'critical',
    },
  ),
  simple(
    'slack-app-token',
    'Slack',
    'Slack app-level token',
    'xapp-',
    String.raw`\d-[A-Z0-9]{9,12}-\d{10,14}-${HEX}{64}`,
    SLACK_DOCS,
    {
      severity: 'critical',
    },
  ),
  simple(
    'slack-config-token',
    'Slack',
    'Slack configuration access token',
    'xoxe.xox',
    String.raw`[bp]-\d-[A-Z0-9]{163,166}`,
    SLACK_DOCS,
  ),
  simple(
    'slack-config-refresh-token',
    'Slack',
    'Slack configuration refresh token',
    'xoxe-',
    String.raw`\d-[A-Z0-9]{146}`,
    SLACK_DOCS,
  ),
  {
    id: 'slack-legacy-token',
    title: 'Slack legacy token',
    provider: 'Slack',
    category: 'provider',
    pattern: tok(`xox[aors]-(?:[0-9]{1,14}-){1,4}${B62}{8,48}`, RD),
    keywords: ['xoxa-', 'xoxo-', 'xoxr-', 'xoxs-'],
    entropy: 3,
    severity: 'high',
    confidence: 'high',
    docs: SLACK_DOCS,
  },
  {
    id: 'slack-webhook-url',
    title: 'Slack incoming webhook URL',
    provider: 'Slack',
    category: 'provider',
    pattern: String.raw`hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9+/]{43,120})(?![A-Za-z0-9+/])`,
    keywords: ['hooks.slack.com'],
    entropy: 3,
    severity: 'high',
    confidence: 'high',
    docs: 'https://api.slack.com/messaging/webhooks',
  },
  // --- Payments ---
  simple(
    'stripe-secret-key',
    'Stripe',
    'Stripe live secret key',
    'sk_live_',
    `${B62}{24,247}`,
    'https://docs.stripe.com/keys',
    {
      severity: 'critical',
    },
  ),
  simple(
    'stripe-restricted-key',
    'Stripe',
    'Stripe live restricted key',
    'rk_live_',
    `${B62}{24,247}`,
    'https://docs.stripe.com/keys',
    {
      severity: 'critical',
    },
  ),
  simple(
    'stripe-test-secret-key',
    'Stripe',
    'Stripe test-mode secret key',
    'sk_test_',
    `${B62}{24,247}`,
    'https://docs.stripe.com/keys',
    {
      severity: 'low',
    },
  ),
  simple(
    'stripe-webhook-secret',
    'Stripe',
    'Stripe webhook signing secret',
    'whsec_',
    `${B62}{32,100}`,
    'https://docs.stripe.com/webhooks',
    {
      severity: 'high',
    },
  ),
  simple(
    'square-access-token',
    'Square',
    'Square access token',
    'sq0atp-',
    `${URLSAFE}{22,60}`,
    'https://developer.squareup.com/docs/build-basics/access-tokens',
  ),
  simple(
    'square-oauth-secret',
    'Square',
    'Square OAuth application secret',
    'sq0csp-',
    `${URLSAFE}{43}`,
    'https://developer.squareup.com/docs/oauth-api/overview',
  ),
  simple(
    'flutterwave-secret-key',
    'Flutterwave',
    'Flutterwave secret key',
    'FLWSECK',
    `(?:_TEST)?-${HEX}{32}-X`,
    'https://developer.flutterwave.com/docs/integration-guides/authentication',
  ),
  simple(
    'shippo-api-token',
    'Shippo',
    'Shippo API token',
    'shippo_',
    `(?:live|test)_${HEX}{40}`,
    'https://docs.goshippo.com/docs/guides_general/authentication/',
  ),
  simple(
    'easypost-api-key',
    'EasyPost',
    'EasyPost production API key',
    'EZAK',
    `${B62}{54}`,
    'https://docs.easypost.com/docs/authentication',
  ),
  simple(
    'duffel-api-token',
    'Duffel',
    'Duffel API token',
    'duffel_',
    `(?:live|test)_${URLSAFE}{43}`,
    'https://duffel.com/docs/api/overview/making-requests/authentication',
  ),
  // --- Messaging and e-mail ---
  simple(
    'twilio-api-key',
    'Twilio',
    'Twilio API key SID',
    'SK',
    `${HEX}{32}`,
    'https://www.twilio.com/docs/iam/api-keys',
    {
      severity: 'medium',
      confidence: 'medium',
    },
  ),
  {
    id: 'twilio-auth-token',
    title: 'Twilio auth token',
    provider: 'Twilio',
    category: 'provider',
    pattern: assigned(
      `${ci('twilio')}[\\w.-]{0,20}?(?:${ci('auth')}|${ci('token')}|${ci('secret')})`,
      `${HEX}{32}`,
    ),
    anchored: true,
    keywords: ['twilio'],
    entropy: 3,
    severity: 'critical',
    confidence: 'medium',
    docs: 'https://www.twilio.com/docs/iam/credentials/api',
  },
  simple(
    'sendgrid-api-key',
    'SendGrid',
    'SendGrid API key',
    'SG.',
    String.raw`${URLSAFE}{22}\.${URLSAFE}{43}`,
    'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys',
    {
      severity: 'critical',
    },
  ),
  {
    id: 'mailgun-api-key',
    title: 'Mailgun API key',
    provider: 'Mailgun',
    category: 'provider',
    pattern: assigned(ci('mailgun'), `key-${HEX}{32}|${HEX}{32}-${HEX}{8}-${HEX}{8}`),
    anchored: true,
    keywords: ['mailgun'],
    entropy: 3,
    severity: 'high',
    confidence: 'high',
    docs: 'https://documentation.mailgun.com/docs/mailgun/user-manual/get-started/#primary-account-api-key',
  },
  {
    id: 'mailchimp-api-key',
    title: 'Mailchimp API key',
    provider: 'Mailchimp',
    category: 'provider',
    // Anchored on the `-usNN` data-centre suffix (a literal the regex engine finds fast); the key is
    // the 32 hex characters before it.
    pattern: String.raw`-us\d{1,2}(?<=(?<![A-Za-z0-9_])(?<secret>${HEX}{32})-us\d{1,2})${R}`,
    anchored: true,
    keywords: ['-us'],
    entropy: 3,
    severity: 'high',
    confidence: 'high',
    docs: 'https://mailchimp.com/developer/marketing/guides/quick-start/',
  },
  simple(
    'sendinblue-api-key',
    'Brevo',
    'Brevo (Sendinblue) API key',
    'xkeysib-',
    `${HEX}{64}-${B62}{16}`,
    'https://developers.brevo.com/docs/getting-started',
  ),
  {
    id: 'telegram-bot-token',
    title: 'Telegram bot token',
    provider: 'Telegram',
    category: 'provider',
    pattern: tok(`[0-9]{8,10}:AA${URLSAFE}{33}`, RD, '(?<![A-Za-z0-9_:])'),
    keywords: [':aa'],
    entropy: 3,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://core.telegram.org/bots/api#authorizing-your-bot',
  },
  // --- Commerce ---
  simple(
    'shopify-access-token',
    'Shopify',
    'Shopify access token',
    'shpat_',
    '[a-fA-F0-9]{32}',
    SHOPIFY_DOCS,
    { severity: 'critical' },
  ),
  simple(
    'shopify-custom-app-token',
    'Shopify',
    'Shopify custom app access token',
    'shpca_',
    '[a-fA-F0-9]{32}',
    SHOPIFY_DOCS,
  ),
  simple(
    'shopify-private-app-token',
    'Shopify',
    'Shopify private app access token',
    'shppa_',
    '[a-fA-F0-9]{32}',
    SHOPIFY_DOCS,
  ),
  simple(
    'shopify-shared-secret',
    'Shopify',
    'Shopify app shared secret',
    'shpss_',
    '[a-fA-F0-9]{32}',
    SHOPIFY_DOCS,
  ),
  // --- Containers, hosting, infrastructure ---
  simple(
    'dockerhub-pat',
    'Docker',
    'Docker Hub personal access token',
    'dckr_pat_',
    `${URLSAFE}{27,60}`,
    'https://docs.docker.com/security/for-developers/access-tokens/',
    {
      severity: 'critical',
    },
  ),
  simple(
    'dockerhub-oat',
    'Docker',
    'Docker Hub organization access token',
    'dckr_oat_',
    `${URLSAFE}{27,60}`,
    'https://docs.docker.com/security/for-admins/access-tokens/',
    {
      severity: 'critical',
    },
  ),
  {
    id: 'docker-config-auth',
    title: 'Registry credentials in a Docker config file',
    provider: 'Docker',
    category: 'provider',
    pattern: String.raw`"auth"\s{0,5}:\s{0,5}"(?<secret>[A-Za-z0-9+/]{8,2000}={0,2})"`,
    keywords: ['"auth"'],
    paths: String.raw`(?:^|/)(?:\.docker/config\.json|\.dockercfg|config\.json)$`,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://docs.docker.com/reference/cli/docker/login/#credential-stores',
    validator: 'docker-auth',
  },
  {
    id: 'heroku-api-key',
    title: 'Heroku API key',
    provider: 'Heroku',
    category: 'provider',
    pattern: assigned(ci('heroku'), UUID),
    anchored: true,
    keywords: ['heroku'],
    entropy: 3,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://devcenter.heroku.com/articles/authentication',
  },
  simple(
    'heroku-api-key-v2',
    'Heroku',
    'Heroku API key (HRKU- format)',
    'HRKU-',
    `${URLSAFE}{58,70}`,
    'https://devcenter.heroku.com/articles/authentication',
  ),
  simple(
    'digitalocean-pat',
    'DigitalOcean',
    'DigitalOcean personal access token',
    'dop_v1_',
    `${HEX}{64}`,
    DO_DOCS,
    { severity: 'critical' },
  ),
  simple(
    'digitalocean-oauth-token',
    'DigitalOcean',
    'DigitalOcean OAuth access token',
    'doo_v1_',
    `${HEX}{64}`,
    DO_DOCS,
  ),
  simple(
    'digitalocean-refresh-token',
    'DigitalOcean',
    'DigitalOcean OAuth refresh token',
    'dor_v1_',
    `${HEX}{64}`,
    DO_DOCS,
  ),
  simple(
    'flyio-access-token',
    'Fly.io',
    'Fly.io access token',
    'fo1_',
    `${URLSAFE}{43}`,
    'https://fly.io/docs/security/tokens/',
  ),
  simple(
    'vault-service-token',
    'HashiCorp',
    'HashiCorp Vault service token',
    'hvs.',
    `${URLSAFE}{90,120}`,
    'https://developer.hashicorp.com/vault/docs/concepts/tokens',
    {
      severity: 'critical',
      entropy: 3.5,
    },
  ),
  simple(
    'vault-batch-token',
    'HashiCorp',
    'HashiCorp Vault batch token',
    'hvb.',
    `${URLSAFE}{138,300}`,
    'https://developer.hashicorp.com/vault/docs/concepts/tokens',
    {
      entropy: 3.5,
    },
  ),
  {
    id: 'terraform-cloud-token',
    title: 'HCP Terraform (Terraform Cloud) API token',
    provider: 'HashiCorp',
    category: 'provider',
    pattern: tok(String.raw`[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}`, RD),
    keywords: ['.atlasv1.'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens',
  },
  simple(
    'pulumi-access-token',
    'Pulumi',
    'Pulumi access token',
    'pul-',
    `${HEX}{40}`,
    'https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/',
  ),
  simple(
    'doppler-token',
    'Doppler',
    'Doppler personal token',
    'dp.pt.',
    `${B62}{43}`,
    'https://docs.doppler.com/docs/api-access',
  ),
  simple(
    'tailscale-key',
    'Tailscale',
    'Tailscale auth or API key',
    'tskey-',
    `(?:auth|api|client|scim|webhook)-${B62}{8,20}-${B62}{20,60}`,
    'https://tailscale.com/kb/1085/auth-keys',
  ),
  simple(
    'openshift-user-token',
    'Red Hat',
    'OpenShift user token',
    'sha256~',
    `${URLSAFE}{43}`,
    'https://docs.openshift.com/container-platform/latest/authentication/understanding-authentication.html',
    {
      entropy: 3.5,
    },
  ),
  simple(
    'alibaba-access-key-id',
    'Alibaba Cloud',
    'Alibaba Cloud AccessKey ID',
    'LTAI',
    `${B62}{20}`,
    'https://www.alibabacloud.com/help/en/ram/user-guide/create-an-accesskey-pair',
    {
      severity: 'medium',
    },
  ),
  simple(
    'databricks-token',
    'Databricks',
    'Databricks personal access token',
    'dapi',
    String.raw`${HEX}{32}(?:-\d)?`,
    'https://docs.databricks.com/en/dev-tools/auth/pat.html',
  ),
  simple(
    'scalingo-api-token',
    'Scalingo',
    'Scalingo API token',
    'tk-us-',
    `${URLSAFE}{48}`,
    'https://doc.scalingo.com/platform/cli/start',
  ),
  // --- Observability ---
  {
    id: 'datadog-api-key',
    title: 'Datadog API key',
    provider: 'Datadog',
    category: 'provider',
    pattern: assigned(`${ci('datadog')}|${ci('dd')}[_-]${ci('api')}[_-]?${ci('key')}`, `${HEX}{32}`),
    anchored: true,
    keywords: ['datadog', 'dd_api', 'dd-api'],
    entropy: 3,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://docs.datadoghq.com/account_management/api-app-keys/',
  },
  {
    id: 'datadog-app-key',
    title: 'Datadog application key',
    provider: 'Datadog',
    category: 'provider',
    pattern: assigned(
      `${ci('dd')}[_-]${ci('app')}[_-]?${ci('key')}|${ci('datadog')}[_.-]?${ci('app')}`,
      `${HEX}{40}`,
    ),
    anchored: true,
    keywords: ['dd_app', 'dd-app', 'datadog'],
    entropy: 3,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://docs.datadoghq.com/account_management/api-app-keys/',
  },
  simple(
    'newrelic-user-api-key',
    'New Relic',
    'New Relic user API key',
    'NRAK-',
    '[A-Z0-9]{27}',
    'https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/',
  ),
  simple(
    'grafana-service-account-token',
    'Grafana',
    'Grafana service account token',
    'glsa_',
    `${B62}{32}_[A-Fa-f0-9]{8}`,
    'https://grafana.com/docs/grafana/latest/administration/service-accounts/',
  ),
  simple(
    'grafana-cloud-token',
    'Grafana',
    'Grafana Cloud access policy token',
    'glc_',
    `[A-Za-z0-9+/]{32,400}={0,3}`,
    'https://grafana.com/docs/grafana-cloud/account-management/authentication-and-permissions/access-policies/',
    {
      entropy: 3.5,
    },
  ),
  simple(
    'sentry-user-token',
    'Sentry',
    'Sentry user auth token',
    'sntryu_',
    `${HEX}{64}`,
    'https://docs.sentry.io/account/auth-tokens/',
  ),
  simple(
    'dynatrace-api-token',
    'Dynatrace',
    'Dynatrace API token',
    'dt0c01.',
    String.raw`[A-Z0-9]{24}\.[A-Z0-9]{64}`,
    'https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/access-tokens',
  ),
  simple(
    'onepassword-service-account-token',
    '1Password',
    '1Password service account token',
    'ops_eyJ',
    `[A-Za-z0-9+/]{250,4000}={0,3}`,
    'https://developer.1password.com/docs/service-accounts/',
    {
      severity: 'critical',
      entropy: 4,
    },
  ),
  // --- Developer tools ---
  simple(
    'atlassian-api-token',
    'Atlassian',
    'Atlassian API token',
    'ATATT3',
    `[A-Za-z0-9_=-]{186}`,
    'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/',
    {
      severity: 'critical',
      entropy: 4,
    },
  ),
  {
    id: 'atlassian-legacy-api-token',
    title: 'Atlassian (Jira/Confluence) legacy API token',
    provider: 'Atlassian',
    category: 'provider',
    pattern: assigned(`${ci('atlassian')}|${ci('confluence')}|${ci('jira')}`, `${B62}{24}`),
    anchored: true,
    keywords: ['atlassian', 'confluence', 'jira'],
    entropy: 3.5,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/',
  },
  simple(
    'bitbucket-app-password',
    'Atlassian',
    'Bitbucket app password',
    'ATBB',
    `[A-Za-z0-9_=.-]{32}`,
    'https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/',
    {
      entropy: 3.5,
    },
  ),
  simple(
    'linear-api-key',
    'Linear',
    'Linear API key',
    'lin_api_',
    `${B62}{40}`,
    'https://developers.linear.app/docs/graphql/working-with-the-graphql-api#personal-api-keys',
  ),
  simple(
    'postman-api-key',
    'Postman',
    'Postman API key',
    'PMAK-',
    `${HEX}{24}-${HEX}{34}`,
    'https://learning.postman.com/docs/developer/postman-api/authentication/',
  ),
  simple(
    'contentful-pat',
    'Contentful',
    'Contentful personal access token',
    'CFPAT-',
    `${URLSAFE}{43}`,
    'https://www.contentful.com/developers/docs/references/authentication/',
  ),
  simple(
    'readme-api-key',
    'ReadMe',
    'ReadMe API key',
    'rdme_',
    '[a-z0-9]{70}',
    'https://docs.readme.com/main/reference/intro/authentication',
  ),
  simple(
    'prefect-api-key',
    'Prefect',
    'Prefect API key',
    'pnu_',
    `${B62}{36}`,
    'https://docs.prefect.io/v3/manage/cloud/manage-users/api-keys',
  ),
  simple(
    'planetscale-token',
    'PlanetScale',
    'PlanetScale service token or password',
    'pscale_',
    `(?:tkn|pw|oauth)_[A-Za-z0-9_=.-]{32,64}`,
    'https://planetscale.com/docs/concepts/service-tokens',
  ),
  simple(
    'supabase-access-token',
    'Supabase',
    'Supabase personal access token',
    'sbp_',
    `${HEX}{40}`,
    'https://supabase.com/docs/reference/api/introduction',
  ),
  simple(
    'frameio-api-token',
    'Frame.io',
    'Frame.io API token',
    'fio-u-',
    `[A-Za-z0-9_=-]{64}`,
    'https://developer.frame.io/docs/getting-started/authentication',
  ),
  simple(
    'adobe-client-secret',
    'Adobe',
    'Adobe client secret',
    'p8e-',
    `${B62}{32}`,
    'https://developer.adobe.com/developer-console/docs/guides/authentication/',
  ),
  simple(
    'infracost-api-key',
    'Infracost',
    'Infracost API key',
    'ico-',
    `${B62}{32}`,
    'https://www.infracost.io/docs/',
  ),
  simple(
    'harness-access-token',
    'Harness',
    'Harness personal or service account token',
    'pat.',
    String.raw`${URLSAFE}{22}\.${B62}{24}\.${B62}{20}`,
    'https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys/',
    {
      keywords: ['pat.'],
    },
  ),
  simple(
    'mapbox-secret-token',
    'Mapbox',
    'Mapbox secret access token',
    'sk.eyJ',
    String.raw`${URLSAFE}{50,500}\.${URLSAFE}{20,60}`,
    'https://docs.mapbox.com/accounts/guides/tokens/',
  ),
  // --- AI providers ---
  {
    id: 'openai-api-key',
    title: 'OpenAI API key',
    provider: 'OpenAI',
    category: 'provider',
    pattern: tok(
      `sk-(?:(?:proj|svcacct|admin)-${URLSAFE}{20,200}T3BlbkFJ${URLSAFE}{20,200}|${B62}{20}T3BlbkFJ${B62}{20})`,
      RD,
    ),
    keywords: ['t3blbkfj'],
    entropy: 3,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://platform.openai.com/docs/api-reference/authentication',
  },
  simple(
    'anthropic-api-key',
    'Anthropic',
    'Anthropic API key',
    'sk-ant-api03-',
    `${URLSAFE}{93}AA`,
    'https://docs.anthropic.com/en/api/getting-started',
    {
      severity: 'critical',
    },
  ),
  simple(
    'anthropic-admin-key',
    'Anthropic',
    'Anthropic Admin API key',
    'sk-ant-admin01-',
    `${URLSAFE}{93}AA`,
    'https://docs.anthropic.com/en/api/administration-api',
    {
      severity: 'critical',
    },
  ),
  simple(
    'huggingface-token',
    'Hugging Face',
    'Hugging Face user access token',
    'hf_',
    '[A-Za-z]{34}',
    'https://huggingface.co/docs/hub/security-tokens',
  ),
  simple(
    'huggingface-org-token',
    'Hugging Face',
    'Hugging Face organization API token',
    'api_org_',
    '[A-Za-z]{34}',
    'https://huggingface.co/docs/hub/security-tokens',
  ),
  simple(
    'groq-api-key',
    'Groq',
    'Groq API key',
    'gsk_',
    `${B62}{52}`,
    'https://console.groq.com/docs/api-keys',
  ),
  simple(
    'replicate-api-token',
    'Replicate',
    'Replicate API token',
    'r8_',
    `${B62}{37}`,
    'https://replicate.com/docs/reference/http#authentication',
  ),
  // --- Private keys ---
  {
    id: 'private-key',
    title: 'Private key (PEM)',
    provider: 'PEM',
    category: 'private-key',
    pattern: `(?<secret>-----BEGIN (?<kind>(?:RSA |DSA |EC |ENCRYPTED |)PRIVATE KEY)-----${PEM_BODY}-----END \\k<kind>-----)`,
    keywords: ['private key-----'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://www.rfc-editor.org/rfc/rfc7468#section-10',
  },
  {
    id: 'private-key-openssh',
    title: 'OpenSSH private key',
    provider: 'OpenSSH',
    category: 'private-key',
    pattern: `(?<secret>-----BEGIN OPENSSH PRIVATE KEY-----${PEM_BODY}-----END OPENSSH PRIVATE KEY-----)`,
    keywords: ['begin openssh private key'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://man.openbsd.org/ssh-keygen.1',
  },
  {
    id: 'private-key-pgp',
    title: 'PGP private key block',
    provider: 'OpenPGP',
    category: 'private-key',
    pattern: `(?<secret>-----BEGIN PGP PRIVATE KEY BLOCK-----${PEM_BODY}-----END PGP PRIVATE KEY BLOCK-----)`,
    keywords: ['begin pgp private key block'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://www.rfc-editor.org/rfc/rfc9580#section-6.2',
  },
  {
    id: 'private-key-putty',
    title: 'PuTTY private key (.ppk)',
    provider: 'PuTTY',
    category: 'private-key',
    pattern: String.raw`(?<secret>PuTTY-User-Key-File-[23]: [A-Za-z0-9@.-]{3,40}\r?\n(?:[^\n]{0,400}\n){1,80}?Private-Lines: \d{1,3}\r?\n[A-Za-z0-9+/=]{16,200}(?=\r?\n|$)(?:\r?\n[A-Za-z0-9+/=]{1,200}(?=\r?\n|$)){0,200})`,
    keywords: ['putty-user-key-file-'],
    entropy: 3.5,
    severity: 'critical',
    confidence: 'high',
    docs: 'https://the.earth.li/~sgtatham/putty/latest/htmldoc/AppendixC.html',
  },
  simple(
    'age-secret-key',
    'age',
    'age encryption secret key',
    'AGE-SECRET-KEY-1',
    '[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
    'https://age-encryption.org/v1',
    {
      category: 'private-key',
      severity: 'critical',
    },
  ),
  // --- Tokens that carry credentials, URLs ---
  {
    id: 'jwt',
    title: 'JSON Web Token with credentials',
    provider: 'JWT',
    category: 'jwt',
    pattern: tok(String.raw`eyJ${URLSAFE}{8,4000}\.eyJ${URLSAFE}{8,8000}\.${URLSAFE}{16,2000}`, RD, LD),
    keywords: ['eyj'],
    entropy: 3,
    severity: 'high',
    confidence: 'medium',
    docs: 'https://www.rfc-editor.org/rfc/rfc7519',
    validator: 'jwt-credentials',
  },
  {
    id: 'url-with-password',
    title: 'URL with an embedded password',
    provider: 'URL',
    category: 'url',
    // Starts with the literal `://` (found fast); the scheme before it is checked by a lookbehind.
    pattern: String.raw`://(?<=(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://)[^\s:@/?#'"\x60<>{}$]{1,100}:(?<secret>[^\s:@/?#'"\x60<>]{3,200})@(?<host>[A-Za-z0-9.-]{1,255})`,
    anchored: true,
    keywords: ['://'],
    // Documentation hosts (RFC 2606 / 6761): URLs in docs and examples.
    deny: {
      host: String.raw`(?:^|\.)(?:example\.(?:com|net|org)|example|invalid|test|localhost\.localdomain)$`,
    },
    severity: 'high',
    confidence: 'medium',
    docs: 'https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1',
    placeholderCheck: true,
  },
  // --- Generic assignments (last: any provider rule above wins an overlap) ---
  {
    id: 'generic-password',
    title: 'Hard-coded password',
    provider: 'Generic',
    category: 'generic',
    pattern: String.raw`(?<key>(?:${ci('password')}|${ci('passwd')}|${ci('pwd')}|${ci('passphrase')})[A-Za-z0-9_.-]{0,20})["'\x60]?\s{0,5}(?:=|:=|:|=>|\?=)\s{0,5}(?<q>["'\x60])(?<secret>[^"'\x60\s\\]{8,128})\k<q>`,
    anchored: true,
    keywords: ['password', 'passwd', 'pwd', 'passphrase'],
    entropy: 3,
    severity: 'high',
    confidence: 'low',
    docs: 'https://cwe.mitre.org/data/definitions/798.html',
    validator: 'generic-password',
    placeholderCheck: true,
    deny: { key: NOT_SECRET_KEY },
  },
  {
    id: 'generic-secret',
    title: 'Hard-coded secret, token or API key',
    provider: 'Generic',
    category: 'generic',
    pattern: String.raw`(?<key>(?:${ci('secret')}|${ci('token')}|${ci('api')}[_.-]?${ci('key')}|${ci('access')}[_.-]?${ci('key')}|${ci('auth')}[_.-]?${ci('key')}|${ci('private')}[_.-]?${ci('key')}|${ci('signing')}[_.-]?${ci('key')}|${ci('encryption')}[_.-]?${ci('key')}|${ci('credential')})[A-Za-z0-9_.-]{0,20})["'\x60]?\s{0,5}(?:=|:=|:|=>|\?=)\s{0,5}(?<q>["'\x60])(?<secret>[A-Za-z0-9_+/=.~-]{16,256})\k<q>`,
    anchored: true,
    keywords: [
      'secret',
      'token',
      'apikey',
      'api_key',
      'api.key',
      'api-key',
      'accesskey',
      'access_key',
      'access.key',
      'access-key',
      'authkey',
      'auth_key',
      'auth.key',
      'auth-key',
      'privatekey',
      'private_key',
      'private.key',
      'private-key',
      'signingkey',
      'signing_key',
      'signing.key',
      'signing-key',
      'encryptionkey',
      'encryption_key',
      'encryption.key',
      'encryption-key',
      'credential',
    ],
    entropy: 3.5,
    severity: 'high',
    confidence: 'low',
    docs: 'https://cwe.mitre.org/data/definitions/798.html',
    validator: 'generic-secret',
    placeholderCheck: true,
    deny: { key: NOT_SECRET_KEY },
  },
  {
    id: 'generic-secret-config',
    title: 'Secret in a configuration or .env file',
    provider: 'Generic',
    category: 'generic',
    pattern: String.raw`^[ \t]*(?:export[ \t]+)?(?<key>[A-Za-z0-9_.-]{0,40}(?:SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Za-z0-9_.-]{0,40})[ \t]*[=:][ \t]*(?<secret>[^\s"'\x60#]{12,256})[ \t]*$`,
    flags: 'im',
    keywords: [
      'secret',
      'token',
      'password',
      'passwd',
      'pwd',
      'apikey',
      'api_key',
      'accesskey',
      'access_key',
      'privatekey',
      'private_key',
      'credential',
    ],
    paths: String.raw`(?:^|/)(?:\.env(?:\.[\w.-]+)?|[^/]*\.(?:env|ini|cfg|conf|properties|ya?ml|toml))$`,
    entropy: 3.5,
    severity: 'high',
    confidence: 'low',
    docs: 'https://cwe.mitre.org/data/definitions/798.html',
    validator: 'generic-secret',
    placeholderCheck: true,
    deny: { key: NOT_SECRET_KEY },
  },
];
