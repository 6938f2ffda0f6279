// Generated fixture trees: the example repo's planted secrets (examples/secrets) and the positive
// half of the bench's labelled set (test/fixtures/labelled). fixtures.test.ts checks the committed
// files equal this output; `pnpm --filter @devsecflow/secrets fixtures` rewrites them.
import { RULES } from './rules.js';
import { FAKES, rng } from './test-fakes.js';

export interface Label {
  path: string;
  line: number;
  rule: string;
}

function lineOf(text: string, value: string): number {
  const i = text.indexOf(value);
  return text.slice(0, i).split('\n').length;
}

/** Files of the labelled set's positive half plus labels.json, keyed by path under labelled/. */
export function labelledPositives(): { files: Record<string, string>; labels: Label[] } {
  const files: Record<string, string> = {};
  const labels: Label[] = [];
  RULES.forEach((rule, i) => {
    const fake = FAKES[rule.id]!.fake(rng(1000 + i));
    const base = (fake.path ?? 'config.txt').split('/').pop()!;
    const path = `positive/${rule.id}/${base}`;
    files[path] = fake.text.endsWith('\n') ? fake.text : `${fake.text}\n`;
    labels.push({ path, line: lineOf(fake.text, fake.value), rule: rule.id });
  });
  // Near misses of every rule: the negative half also gets format-aware bait.
  const near = RULES.map((rule, i) => FAKES[rule.id]!.near(rng(2000 + i)).text.replace(/\n/g, ' ')).join(
    '\n',
  );
  files['negative/near-misses.txt'] = `${near}\n`;
  return { files, labels };
}

/** The planted secrets of examples/secrets, keyed by path under examples/secrets/. */
export function examplePlantedFiles(): { files: Record<string, string>; planted: Label[]; values: string[] } {
  const f = (id: string, seed: number) => FAKES[id]!.fake(rng(seed));
  const ghp = f('github-pat', 1).value;
  const npm = f('npm-access-token', 2).value;
  const akia = f('aws-access-key-id', 3).value;
  const awsSecret = f('aws-secret-access-key', 4).value;
  const stripe = f('stripe-secret-key', 5).value;
  const slackHook = f('slack-webhook-url', 6).value;
  const openai = f('openai-api-key', 7).value;
  const dbPassword = f('url-with-password', 8).value;
  const sa = f('gcp-service-account-key', 9).text;
  const key = f('private-key-openssh', 10).value;
  const values = [
    ghp,
    npm,
    akia,
    awsSecret,
    stripe,
    slackHook,
    openai,
    dbPassword,
    f('gcp-service-account-key', 9).value,
    key,
  ];
  const files: Record<string, string> = {
    'src/github-client.ts': [
      "import { Octokit } from '@octokit/rest';",
      '',
      '// Planted for the quick start: a checksum-valid but fake classic GitHub token.',
      `const octokit = new Octokit({ auth: '${ghp}' });`,
      '',
      'export async function listRepos(org: string) {',
      '  return octokit.repos.listForOrg({ org });',
      '}',
      '',
    ].join('\n'),
    'config/settings.py': [
      '# Planted for the quick start: a fake AWS key pair and a database URL with a password.',
      'import os',
      '',
      `AWS_ACCESS_KEY_ID = "${akia}"`,
      `AWS_SECRET_ACCESS_KEY = "${awsSecret}"`,
      `DATABASE_URL = "postgres://app:${dbPassword}@db.internal:5432/app"`,
      'DEBUG = os.environ.get("DEBUG") == "1"',
      '',
    ].join('\n'),
    '.env.production': [
      '# Planted for the quick start (all fake).',
      `STRIPE_SECRET_KEY=${stripe}`,
      `SLACK_WEBHOOK=https://hooks.slack.com/services/${slackHook}`,
      `OPENAI_API_KEY=${openai}`,
      'LOG_LEVEL=info',
      '',
    ].join('\n'),
    '.npmrc': `//registry.npmjs.org/:_authToken=${npm}\n`,
    'deploy/service-account.json': sa,
    'deploy/id_ed25519': `${key}\n`,
  };
  const planted: Label[] = [
    { path: 'src/github-client.ts', line: 4, rule: 'github-pat' },
    { path: 'config/settings.py', line: 4, rule: 'aws-access-key-id' },
    { path: 'config/settings.py', line: 5, rule: 'aws-secret-access-key' },
    { path: 'config/settings.py', line: 6, rule: 'url-with-password' },
    { path: '.env.production', line: 2, rule: 'stripe-secret-key' },
    { path: '.env.production', line: 3, rule: 'slack-webhook-url' },
    { path: '.env.production', line: 4, rule: 'openai-api-key' },
    { path: '.npmrc', line: 1, rule: 'npm-access-token' },
    { path: 'deploy/service-account.json', line: 4, rule: 'gcp-service-account-key' },
    { path: 'deploy/id_ed25519', line: 1, rule: 'private-key-openssh' },
  ];
  return { files, planted, values };
}
