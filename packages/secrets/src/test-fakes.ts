// Fake but correctly formatted secrets, one generator per rule, for tests, the bench's labelled set
// and the example repo. Nothing here is a live credential: values come from a seeded PRNG, and
// checksummed formats get a checksum computed from that random part.

import { type Rng, seededRandom } from '@devsecflow/core/testing';
import { base62, crc32 } from './validators.js';

export type { Rng };
/** The seeded generator fixtures are made with (stable across runs). */
export const rng = seededRandom;

export const CS = {
  b62: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  hex: '0123456789abcdef',
  upnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  lownum: 'abcdefghijklmnopqrstuvwxyz0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  base32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  bech32: 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
} as const;

export function str(r: Rng, cs: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += cs[Math.floor(r() * cs.length)]!;
  return out;
}

/** Random string with at least one upper, lower and digit (what real keys nearly always have). */
export function mixed(r: Rng, cs: string, n: number): string {
  return `Q${str(r, 'abcdefghijkmnpqrstuvwxyz', 1)}7${str(r, cs, n - 3)}`;
}

export function checksummed(r: Rng, prefix: string): string {
  const random = mixed(r, CS.b62, 30);
  return `${prefix}_${random}${base62(crc32(random), 6)}`;
}

export function uuid(r: Rng): string {
  const h = (n: number) => str(r, CS.hex, n);
  return `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`;
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export interface Fake {
  /** The text to scan. */
  text: string;
  /** The secret the rule must report (what its salted hash is computed from). */
  value: string;
  /** Path to scan it as (default `src/config.ts`). */
  path?: string;
}

export interface NearMiss {
  text: string;
  path?: string;
}

function pem(r: Rng, label: string, header = ''): string {
  const lines = Array.from({ length: 4 }, () => str(r, CS.b64, 64));
  return `-----BEGIN ${label}-----\n${header}${lines.join('\n')}\n${str(r, CS.b64, 20)}==\n-----END ${label}-----`;
}

/** `prefix` + n random characters (+ suffix), and a near miss with `near` characters. */
function p(prefix: string, cs: string, n: number, near: number, suffix = '') {
  const gen = cs === CS.b62 || cs === CS.url || cs === CS.b64 ? mixed : str;
  const wrap = (v: string) => `const value = '${v}';`;
  return {
    fake: (r: Rng): Fake => {
      const value = `${prefix}${gen(r, cs, n)}${suffix}`;
      return { text: wrap(value), value };
    },
    near: (r: Rng): NearMiss => ({ text: wrap(`${prefix}${gen(r, cs, near)}${suffix}`) }),
  };
}

function assign(key: string, gen: (r: Rng) => string, nearGen: (r: Rng) => string) {
  return {
    fake: (r: Rng): Fake => {
      const value = gen(r);
      return { text: `${key}=${value}\n`, value, path: 'deploy/app.env' };
    },
    near: (r: Rng): NearMiss => ({ text: `${key}=${nearGen(r)}\n`, path: 'deploy/app.env' }),
  };
}

const gh = (prefix: string) => ({
  fake: (r: Rng): Fake => {
    const value = checksummed(r, prefix);
    return { text: `const value = '${value}';`, value };
  },
  near: (r: Rng): NearMiss => {
    const v = checksummed(r, prefix);
    // Same shape, checksum off by one character: not a token GitHub or npm issued.
    const last = v.at(-1) === 'a' ? 'b' : 'a';
    return { text: `const value = '${v.slice(0, -1)}${last}';` };
  },
});

/** One generator pair per rule id: a true positive and a near miss the rule must not report. */
export const FAKES: Record<string, { fake: (r: Rng) => Fake; near: (r: Rng) => NearMiss }> = {
  'github-pat': gh('ghp'),
  'github-oauth-token': gh('gho'),
  'github-user-to-server-token': gh('ghu'),
  'github-server-to-server-token': gh('ghs'),
  'github-refresh-token': gh('ghr'),
  'github-fine-grained-pat': {
    fake: (r) => {
      const value = `github_pat_${mixed(r, CS.b62, 22)}_${mixed(r, CS.b62, 59)}`;
      return { text: `GH_TOKEN: ${value}`, value };
    },
    near: (r) => ({ text: `GH_TOKEN: github_pat_${mixed(r, CS.b62, 22)}_${mixed(r, CS.b62, 50)}` }),
  },
  'gitlab-pat-routable': {
    fake: (r) => {
      const value = `glpat-${mixed(r, CS.b62, 36)}.01.${str(r, CS.lownum, 7)}`;
      return { text: `token: ${value}`, value };
    },
    near: (r) => ({ text: `token: glpat-${mixed(r, CS.b62, 36)}.0` }),
  },
  'gitlab-pat': p('glpat-', CS.b62, 20, 19),
  'gitlab-deploy-token': p('gldt-', CS.b62, 20, 19),
  'gitlab-runner-token': p('glrt-', CS.b62, 20, 19),
  'gitlab-runner-registration-token': p('GR1348941', CS.b62, 20, 15),
  'gitlab-pipeline-trigger-token': {
    fake: (r) => {
      const value = `glptt-${str(r, CS.hex, 40)}`;
      return { text: `curl -F token=${value} https://gitlab.invalid`, value };
    },
    near: (r) => ({ text: `curl -F token=glptt-${str(r, CS.hex, 39)} https://gitlab.invalid` }),
  },
  'gitlab-ci-job-token': {
    fake: (r) => {
      const value = `glcbt-${str(r, CS.b62, 3)}_${mixed(r, CS.b62, 20)}`;
      return { text: `JOB=${value}`, value };
    },
    near: (r) => ({ text: `JOB=glcbt-${mixed(r, CS.b62, 25)}` }),
  },
  'gitlab-scim-token': p('glsoat-', CS.b62, 20, 19),
  'gitlab-feature-flag-token': p('glffct-', CS.b62, 20, 19),
  'gitlab-feed-token': p('glft-', CS.b62, 20, 19),
  'gitlab-incoming-mail-token': p('glimt-', CS.b62, 25, 24),
  'gitlab-agent-token': p('glagent-', CS.b62, 50, 49),
  'gitlab-oauth-app-secret': p('gloas-', CS.b62, 64, 63),
  'npm-access-token': gh('npm'),
  'npmrc-auth-token': {
    fake: (r) => {
      const value = mixed(r, CS.b62, 36);
      return { text: `//registry.internal.invalid/:_authToken=${value}\n`, value, path: '.npmrc' };
    },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test
    near: () => ({ text: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n', path: '.npmrc' }),
  },
  'pypi-upload-token': p('pypi-AgEIcHlwaS5vcmc', CS.url, 70, 30),
  'pypi-test-upload-token': p('pypi-AgENdGVzdC5weXBpLm9yZw', CS.url, 70, 30),
  'rubygems-api-token': {
    fake: (r) => {
      const value = `rubygems_${str(r, CS.hex, 48)}`;
      return { text: `:rubygems_api_key: ${value}`, value };
    },
    near: (r) => ({ text: `:rubygems_api_key: rubygems_${str(r, CS.hex, 47)}` }),
  },
  'clojars-api-token': {
    fake: (r) => {
      const value = `CLOJARS_${str(r, CS.lownum, 60)}`;
      return { text: `password "${value}"`, value };
    },
    near: (r) => ({ text: `password "CLOJARS_${str(r, CS.lownum, 59)}"` }),
  },
  'aws-access-key-id': {
    fake: (r) => {
      const value = `AKIA${str(r, CS.base32, 16)}`;
      return { text: `aws_access_key_id = ${value}`, value, path: 'home/.aws/credentials' };
    },
    near: () => ({ text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', path: 'home/.aws/credentials' }),
  },
  'aws-secret-access-key': {
    fake: (r) => {
      const value = mixed(r, CS.b64, 40);
      return { text: `aws_secret_access_key = ${value}`, value, path: 'home/.aws/credentials' };
    },
    near: () => ({
      text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      path: 'home/.aws/credentials',
    }),
  },
  'aws-session-token': assign(
    'AWS_SESSION_TOKEN',
    (r) => mixed(r, CS.b64, 300),
    (r) => mixed(r, CS.b64, 60),
  ),
  'aws-mws-key': {
    fake: (r) => {
      const value = `amzn.mws.${uuid(r)}`;
      return { text: `mws: ${value}`, value };
    },
    near: (r) => ({ text: `mws: amzn.mws.${uuid(r).slice(0, -1)}` }),
  },
  'gcp-service-account-key': {
    fake: (r) => {
      const body = Array.from({ length: 4 }, () => str(r, CS.b64, 64)).join('\\n');
      const value = `-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n`;
      return {
        text: `{\n  "type": "service_account",\n  "private_key_id": "${str(r, CS.hex, 40)}",\n  "private_key": "${value}",\n  "client_email": "svc@project.iam.gserviceaccount.com"\n}\n`,
        value,
        path: 'deploy/sa.json',
      };
    },
    near: () => ({
      text: '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"\n}\n',
      path: 'deploy/sa.json',
    }),
  },
  'gcp-api-key': p('AIza', CS.url, 35, 34),
  'google-oauth-client-secret': p('GOCSPX-', CS.url, 28, 27),
  'azure-storage-account-key': {
    fake: (r) => {
      const value = `${mixed(r, CS.b64, 86)}==`;
      return {
        text: `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${value};EndpointSuffix=core.windows.net`,
        value,
      };
    },
    near: () => ({
      text: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;',
    }),
  },
  'azure-shared-access-key': {
    fake: (r) => {
      const value = `${mixed(r, CS.b64, 43)}=`;
      return {
        text: `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${value}`,
        value,
      };
    },
    near: () => ({
      text: 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=<key>',
    }),
  },
  'azure-sas-token': {
    fake: (r) => {
      const value = `${mixed(r, CS.b62, 43)}%3D`;
      return {
        text: `https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${value}`,
        value,
      };
    },
    near: () => ({ text: 'https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&sig=REDACTED' }),
  },
  'azure-ad-client-secret': {
    fake: (r) => {
      const value = `${str(r, CS.alpha, 3)}8Q~${mixed(r, CS.b62, 34)}`;
      return { text: `"ClientSecret": "${value}"`, value };
    },
    near: (r) => ({ text: `"value": "${str(r, CS.alpha, 3)}8Q~${mixed(r, CS.b62, 20)}"` }),
  },
  'azure-devops-pat': assign(
    'AZURE_DEVOPS_PAT',
    (r) => str(r, 'abcdefghijklmnopqrstuvwxyz234567', 52),
    (r) => str(r, 'abcdefghijklmnopqrstuvwxyz234567', 40),
  ),
  'slack-bot-token': {
    fake: (r) => {
      const value = `xoxb-${str(r, CS.digits, 12)}-${str(r, CS.digits, 13)}-${mixed(r, CS.b62, 24)}`;
      return { text: `SLACK=${value}`, value };
    },
    near: (r) => ({ text: `SLACK=xoxb-${str(r, CS.digits, 12)}-${mixed(r, CS.b62, 24)}` }),
  },
  'slack-user-token': {
    fake: (r) => {
      const d = () => str(r, CS.digits, 12);
      const value = `xoxp-${d()}-${d()}-${d()}-${str(r, CS.hex, 32)}`;
      return { text: `SLACK=${value}`, value };
    },
    near: (r) => ({ text: `SLACK=xoxp-${str(r, CS.digits, 12)}-${str(r, CS.hex, 31)}` }),
  },
  'slack-app-token': {
    fake: (r) => {
      const value = `xapp-1-${str(r, CS.upnum, 11)}-${str(r, CS.digits, 13)}-${str(r, CS.hex, 64)}`;
      return { text: `SLACK_APP=${value}`, value };
    },
    near: (r) => ({
      text: `SLACK_APP=xapp-1-${str(r, CS.upnum, 11)}-${str(r, CS.digits, 13)}-${str(r, CS.hex, 63)}`,
    }),
  },
  'slack-config-token': p('xoxe.xoxp-1-', CS.upnum, 164, 100),
  'slack-config-refresh-token': p('xoxe-1-', CS.upnum, 146, 140),
  'slack-legacy-token': {
    fake: (r) => {
      const value = `xoxs-${str(r, CS.digits, 10)}-${str(r, CS.digits, 11)}-${mixed(r, CS.b62, 40)}`;
      return { text: `legacy=${value}`, value };
    },
    near: (r) => ({ text: `legacy=xoxs-${str(r, CS.alpha, 20)}` }),
  },
  'slack-webhook-url': {
    fake: (r) => {
      const value = `T${str(r, CS.upnum, 10)}/B${str(r, CS.upnum, 10)}/${mixed(r, CS.b62, 24)}`;
      return { text: `url: https://hooks.slack.com/services/${value}`, value };
    },
    near: () => ({ text: 'url: https://hooks.slack.com/services/T000/B000/XXXX' }),
  },
  'stripe-secret-key': p('sk_live_', CS.b62, 99, 10),
  'stripe-restricted-key': p('rk_live_', CS.b62, 99, 10),
  'stripe-test-secret-key': {
    fake: (r) => {
      const value = `sk_test_${mixed(r, CS.b62, 99)}`;
      return { text: `Stripe.apiKey = "${value}";`, value };
    },
    near: () => ({ text: 'Stripe.apiKey = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";' }),
  },
  'stripe-webhook-secret': p('whsec_', CS.b62, 32, 20),
  'square-access-token': p('sq0atp-', CS.url, 22, 15),
  'square-oauth-secret': p('sq0csp-', CS.url, 43, 30),
  'flutterwave-secret-key': {
    fake: (r) => {
      const value = `FLWSECK_TEST-${str(r, CS.hex, 32)}-X`;
      return { text: `key: ${value}`, value };
    },
    near: (r) => ({ text: `key: FLWSECK_TEST-${str(r, CS.hex, 32)}` }),
  },
  'shippo-api-token': {
    fake: (r) => {
      const value = `shippo_live_${str(r, CS.hex, 40)}`;
      return { text: `key: ${value}`, value };
    },
    near: (r) => ({ text: `key: shippo_live_${str(r, CS.hex, 30)}` }),
  },
  'easypost-api-key': p('EZAK', CS.b62, 54, 40),
  'duffel-api-token': p('duffel_test_', CS.url, 43, 30),
  'twilio-api-key': {
    fake: (r) => {
      const value = `SK${str(r, CS.hex, 32)}`;
      return { text: `apiKey: '${value}'`, value };
    },
    near: (r) => ({ text: `sid: 'SK${str(r, CS.hex, 31)}'` }),
  },
  'twilio-auth-token': assign(
    'TWILIO_AUTH_TOKEN',
    (r) => str(r, CS.hex, 32),
    (r) => str(r, CS.hex, 20),
  ),
  'sendgrid-api-key': {
    fake: (r) => {
      const value = `SG.${mixed(r, CS.url, 22)}.${mixed(r, CS.url, 43)}`;
      return { text: `SENDGRID=${value}`, value };
    },
    near: (r) => ({ text: `SENDGRID=SG.${mixed(r, CS.url, 22)}.${mixed(r, CS.url, 20)}` }),
  },
  'mailgun-api-key': assign(
    'MAILGUN_API_KEY',
    (r) => `key-${str(r, CS.hex, 32)}`,
    (r) => `key-${str(r, CS.hex, 20)}`,
  ),
  'mailchimp-api-key': {
    fake: (r) => {
      const value = str(r, CS.hex, 32);
      return { text: `MC_KEY=${value}-us21`, value };
    },
    near: (r) => ({ text: `MC_KEY=${str(r, CS.hex, 31)}-us21` }),
  },
  'sendinblue-api-key': {
    fake: (r) => {
      const value = `xkeysib-${str(r, CS.hex, 64)}-${mixed(r, CS.b62, 16)}`;
      return { text: `key=${value}`, value };
    },
    near: (r) => ({ text: `key=xkeysib-${str(r, CS.hex, 64)}` }),
  },
  'telegram-bot-token': {
    fake: (r) => {
      const value = `${str(r, CS.digits, 10)}:AA${mixed(r, CS.url, 33)}`;
      return { text: `BOT=${value}`, value };
    },
    near: (r) => ({ text: `BOT=${str(r, CS.digits, 10)}:AA${mixed(r, CS.url, 20)}` }),
  },
  'shopify-access-token': p('shpat_', CS.hex, 32, 31),
  'shopify-custom-app-token': p('shpca_', CS.hex, 32, 31),
  'shopify-private-app-token': p('shppa_', CS.hex, 32, 31),
  'shopify-shared-secret': p('shpss_', CS.hex, 32, 31),
  'dockerhub-pat': p('dckr_pat_', CS.url, 27, 20),
  'dockerhub-oat': p('dckr_oat_', CS.url, 32, 20),
  'docker-config-auth': {
    fake: (r) => {
      const value = Buffer.from(`deploy:${mixed(r, CS.b62, 20)}`).toString('base64');
      return {
        text: `{"auths":{"registry.internal.invalid":{"auth":"${value}"}}}`,
        value,
        path: '.docker/config.json',
      };
    },
    near: () => ({
      text: `{"auths":{"registry.internal.invalid":{"auth":"${Buffer.from('no-colon-here').toString('base64')}"}}}`,
      path: '.docker/config.json',
    }),
  },
  'heroku-api-key': assign('HEROKU_API_KEY', uuid, (r) => uuid(r).slice(0, -1)),
  'heroku-api-key-v2': p('HRKU-', CS.url, 60, 40),
  'digitalocean-pat': p('dop_v1_', CS.hex, 64, 63),
  'digitalocean-oauth-token': p('doo_v1_', CS.hex, 64, 63),
  'digitalocean-refresh-token': p('dor_v1_', CS.hex, 64, 63),
  'flyio-access-token': p('fo1_', CS.url, 43, 30),
  'vault-service-token': p('hvs.', CS.url, 95, 50),
  'vault-batch-token': p('hvb.', CS.url, 150, 100),
  'terraform-cloud-token': {
    fake: (r) => {
      const value = `${mixed(r, CS.b62, 14)}.atlasv1.${mixed(r, CS.b62, 67)}`;
      return { text: `token = "${value}"`, value, path: 'home/.terraformrc' };
    },
    near: (r) => ({
      text: `token = "${mixed(r, CS.b62, 14)}.atlasv1.${mixed(r, CS.b62, 30)}"`,
      path: 'home/.terraformrc',
    }),
  },
  'pulumi-access-token': p('pul-', CS.hex, 40, 39),
  'doppler-token': p('dp.pt.', CS.b62, 43, 40),
  'tailscale-key': {
    fake: (r) => {
      const value = `tskey-auth-${mixed(r, CS.b62, 12)}-${mixed(r, CS.b62, 33)}`;
      return { text: `TS_AUTHKEY=${value}`, value };
    },
    near: (r) => ({ text: `TS_AUTHKEY=tskey-auth-${mixed(r, CS.b62, 12)}` }),
  },
  'openshift-user-token': p('sha256~', CS.url, 43, 40),
  'alibaba-access-key-id': p('LTAI', CS.b62, 20, 15),
  'databricks-token': p('dapi', CS.hex, 32, 31),
  'scalingo-api-token': p('tk-us-', CS.url, 48, 40),
  'datadog-api-key': assign(
    'DD_API_KEY',
    (r) => str(r, CS.hex, 32),
    (r) => str(r, CS.hex, 31),
  ),
  'datadog-app-key': assign(
    'DD_APP_KEY',
    (r) => str(r, CS.hex, 40),
    (r) => str(r, CS.hex, 39),
  ),
  'newrelic-user-api-key': p('NRAK-', CS.upnum, 27, 26),
  'grafana-service-account-token': {
    fake: (r) => {
      const value = `glsa_${mixed(r, CS.b62, 32)}_${str(r, CS.hex, 8)}`;
      return { text: `GRAFANA=${value}`, value };
    },
    near: (r) => ({ text: `GRAFANA=glsa_${mixed(r, CS.b62, 32)}` }),
  },
  'grafana-cloud-token': p('glc_', CS.b64, 60, 20),
  'sentry-user-token': p('sntryu_', CS.hex, 64, 63),
  'dynatrace-api-token': {
    fake: (r) => {
      const value = `dt0c01.${str(r, CS.upnum, 24)}.${str(r, CS.upnum, 64)}`;
      return { text: `DT=${value}`, value };
    },
    near: (r) => ({ text: `DT=dt0c01.${str(r, CS.upnum, 24)}.${str(r, CS.upnum, 60)}` }),
  },
  'onepassword-service-account-token': p('ops_eyJ', CS.b64, 300, 100),
  'atlassian-api-token': p('ATATT3', CS.url, 186, 150),
  'atlassian-legacy-api-token': assign(
    'JIRA_API_TOKEN',
    (r) => mixed(r, CS.b62, 24),
    (r) => mixed(r, CS.b62, 20),
  ),
  'bitbucket-app-password': p('ATBB', CS.b62, 32, 20),
  'linear-api-key': p('lin_api_', CS.b62, 40, 30),
  'postman-api-key': {
    fake: (r) => {
      const value = `PMAK-${str(r, CS.hex, 24)}-${str(r, CS.hex, 34)}`;
      return { text: `POSTMAN=${value}`, value };
    },
    near: (r) => ({ text: `POSTMAN=PMAK-${str(r, CS.hex, 24)}-${str(r, CS.hex, 30)}` }),
  },
  'contentful-pat': p('CFPAT-', CS.url, 43, 30),
  'readme-api-key': p('rdme_', CS.lownum, 70, 60),
  'prefect-api-key': p('pnu_', CS.b62, 36, 30),
  'planetscale-token': p('pscale_tkn_', CS.b62, 43, 20),
  'supabase-access-token': p('sbp_', CS.hex, 40, 39),
  'frameio-api-token': p('fio-u-', CS.b62, 64, 50),
  'adobe-client-secret': p('p8e-', CS.b62, 32, 31),
  'infracost-api-key': p('ico-', CS.b62, 32, 31),
  'harness-access-token': {
    fake: (r) => {
      const value = `pat.${mixed(r, CS.url, 22)}.${mixed(r, CS.b62, 24)}.${mixed(r, CS.b62, 20)}`;
      return { text: `HARNESS=${value}`, value };
    },
    near: (r) => ({ text: `HARNESS=pat.${mixed(r, CS.url, 22)}.${mixed(r, CS.b62, 24)}` }),
  },
  'mapbox-secret-token': {
    fake: (r) => {
      const value = `sk.eyJ${mixed(r, CS.url, 80)}.${mixed(r, CS.url, 22)}`;
      return { text: `MAPBOX=${value}`, value };
    },
    near: (r) => ({ text: `MAPBOX=pk.eyJ${mixed(r, CS.url, 80)}.${mixed(r, CS.url, 22)}` }),
  },
  'openai-api-key': {
    fake: (r) => {
      const value = `sk-proj-${mixed(r, CS.url, 74)}T3BlbkFJ${mixed(r, CS.url, 74)}`;
      return { text: `OPENAI_API_KEY=${value}`, value };
    },
    near: (r) => ({ text: `OPENAI_API_KEY=sk-proj-${mixed(r, CS.url, 150)}` }),
  },
  'anthropic-api-key': p('sk-ant-api03-', CS.url, 93, 90, 'AA'),
  'anthropic-admin-key': p('sk-ant-admin01-', CS.url, 93, 90, 'AA'),
  'huggingface-token': p('hf_', CS.alpha, 34, 30),
  'huggingface-org-token': p('api_org_', CS.alpha, 34, 30),
  'groq-api-key': p('gsk_', CS.b62, 52, 40),
  'replicate-api-token': p('r8_', CS.b62, 37, 30),
  'private-key': {
    fake: (r) => {
      const value = pem(r, 'RSA PRIVATE KEY');
      return { text: `${value}\n`, value, path: 'deploy/id_rsa' };
    },
    near: () => ({
      text: '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n',
      path: 'docs/keys.md',
    }),
  },
  'private-key-openssh': {
    fake: (r) => {
      const value = pem(r, 'OPENSSH PRIVATE KEY');
      return { text: `${value}\n`, value, path: 'deploy/id_ed25519' };
    },
    near: () => ({
      text: '-----BEGIN OPENSSH PRIVATE KEY-----\n<your key>\n-----END OPENSSH PRIVATE KEY-----\n',
    }),
  },
  'private-key-pgp': {
    fake: (r) => {
      const value = pem(r, 'PGP PRIVATE KEY BLOCK', 'Version: GnuPG v2\n\n');
      return { text: `${value}\n`, value, path: 'deploy/signing.asc' };
    },
    near: () => ({ text: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n-----END PGP PRIVATE KEY BLOCK-----\n' }),
  },
  'private-key-putty': {
    fake: (r) => {
      const value = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n${str(r, CS.b64, 64)}\n${str(r, CS.b64, 8)}\nPrivate-Lines: 1\n${str(r, CS.b64, 43)}=`;
      return { text: `${value}\nPrivate-MAC: ${str(r, CS.hex, 64)}\n`, value, path: 'deploy/key.ppk' };
    },
    near: () => ({ text: 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n' }),
  },
  'age-secret-key': p('AGE-SECRET-KEY-1', CS.bech32, 58, 50),
  jwt: {
    fake: (r) => {
      const value = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: `svc-${str(r, CS.lownum, 8)}`, role: 'admin', iat: 1767225600 })}.${mixed(r, CS.url, 43)}`;
      return { text: `Authorization: Bearer ${value}`, value };
    },
    near: (r) => ({
      text: `Authorization: Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'x', role: 'admin' })}.${mixed(r, CS.url, 20)}`,
    }),
  },
  'url-with-password': {
    fake: (r) => {
      const value = mixed(r, CS.b62, 18);
      return { text: `DATABASE_URL: "postgres://app:${value}@db.internal:5432/app"`, value };
    },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test
    near: () => ({ text: 'DATABASE_URL: "postgres://app:${DB_PASSWORD}@db.internal:5432/app"' }),
  },
  'generic-password': {
    fake: (r) => {
      const value = `${mixed(r, CS.b62, 10)}!x`;
      return { text: `const dbPassword = "${value}";`, value };
    },
    near: () => ({ text: 'const dbPassword = "changeme";' }),
  },
  'generic-secret': {
    fake: (r) => {
      const value = mixed(r, CS.b62, 32);
      return { text: `client_secret: '${value}',`, value };
    },
    near: (r) => ({ text: `client_secret: '${str(r, CS.lower, 32)}',` }),
  },
  'generic-secret-config': {
    fake: (r) => {
      const value = mixed(r, CS.b62, 32);
      return { text: `SERVICE_API_KEY=${value}\n`, value, path: 'config/.env.production' };
    },
    near: (r) => ({ text: `SERVICE_API_KEY=${mixed(r, CS.b62, 32)}\n`, path: 'src/notes.txt' }),
  },
};
