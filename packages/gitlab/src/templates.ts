import type { StageId } from '@devsecflow/core';

/**
 * The GitLab CI templates in `gitlab-templates/` are generated from this one description, so every
 * stage's job has the same inputs, rules, cache and artifacts. `pnpm run templates` rewrites the
 * files; a test fails when the committed files differ from what this module renders.
 */

/** `artifacts:reports` keys GitLab reads, and the file the CLI writes for each. */
export interface ReportArtifact {
  /** GitLab's `artifacts:reports` key. */
  key: 'sast' | 'dependency_scanning' | 'secret_detection' | 'codequality' | 'junit' | 'cyclonedx';
  /** Format id given to `--format` (from @devsecflow/formats' FORMATS), or... */
  format?: string;
  /** ...the stage option that makes the stage write the file itself (`deps.sbom`). */
  stageOption?: string;
  /** File name the CLI writes for that format (in the output directory). */
  file: string;
}

export interface TemplateStage {
  /** File name without `.yml`, and the catalog component name. */
  name: string;
  stage: StageId;
  title: string;
  /** Default GitLab pipeline stage of the job. */
  pipelineStage: string;
  reports: ReportArtifact[];
  /** Formats written only as plain artifacts (for people and other tools). */
  extraFormats: { format: string; file: string }[];
  /** Stage options every run of this job sets (`--set key=value`); `$PWD` is the project directory. */
  sets: { key: string; value: string }[];
  /** Runs in the DAG at once (`needs: []`) instead of waiting for earlier stages' artifacts. */
  startsImmediately: boolean;
  /** Rules' `when:` for the job (the test gate must also run when a test job failed). */
  when: 'on_success' | 'always';
  /**
   * `scan`: MR pipelines and the default branch. `deploy`: the default branch and tags, after the
   * scan jobs (`needs:` on their artifacts), one decision at a time per environment.
   */
  kind: 'scan' | 'deploy';
  description: string;
}

const CODE_QUALITY: ReportArtifact = {
  key: 'codequality',
  format: 'gitlab-code-quality',
  file: 'gl-code-quality-report.json',
};
const JUNIT: ReportArtifact = { key: 'junit', format: 'junit', file: 'devsecflow-junit.xml' };
const HTML = { format: 'html', file: 'devsecflow-report.html' };
const SARIF = { format: 'sarif', file: 'devsecflow.sarif' };

/** The stages with a template, in pipeline order. */
export const TEMPLATE_STAGES: readonly TemplateStage[] = [
  {
    name: 'sast',
    stage: 'sast',
    title: 'SAST',
    pipelineStage: 'test',
    reports: [{ key: 'sast', format: 'gitlab-sast', file: 'gl-sast-report.json' }, CODE_QUALITY, JUNIT],
    extraFormats: [SARIF, HTML],
    sets: [],
    startsImmediately: true,
    when: 'on_success',
    kind: 'scan',
    description: 'Static analysis of the source tree with the DevSecFlow rule packs.',
  },
  {
    name: 'dependency-scan',
    stage: 'deps',
    title: 'Dependency scan',
    pipelineStage: 'test',
    reports: [
      {
        key: 'dependency_scanning',
        format: 'gitlab-dependency-scanning',
        file: 'gl-dependency-scanning-report.json',
      },
      { key: 'cyclonedx', stageOption: 'deps.sbom', file: 'gl-sbom-devsecflow.cdx.json' },
      CODE_QUALITY,
      JUNIT,
    ],
    extraFormats: [SARIF, HTML],
    // OSV records and the offline index live in the CI cache between pipelines.
    sets: [{ key: 'deps.cacheDir', value: '$PWD/.devsecflow/cache/osv' }],
    startsImmediately: true,
    when: 'on_success',
    kind: 'scan',
    description: 'Known vulnerabilities (OSV) in the lockfiles of every ecosystem, and a CycloneDX SBOM.',
  },
  {
    name: 'secrets',
    stage: 'secrets',
    title: 'Secret detection',
    pipelineStage: 'test',
    reports: [
      { key: 'secret_detection', format: 'gitlab-secret-detection', file: 'gl-secret-detection-report.json' },
      CODE_QUALITY,
      JUNIT,
    ],
    extraFormats: [SARIF, HTML],
    sets: [],
    startsImmediately: true,
    when: 'on_success',
    kind: 'scan',
    description: 'Credentials in the working tree and in the commits of the merge request (redacted output).',
  },
  {
    name: 'test-gate',
    stage: 'test-gate',
    title: 'Test gate',
    // After every stage of the pipeline, so the test jobs' JUnit and coverage artifacts are there.
    pipelineStage: '.post',
    reports: [CODE_QUALITY, JUNIT],
    extraFormats: [HTML],
    sets: [],
    startsImmediately: false,
    when: 'always',
    kind: 'scan',
    description:
      "Thresholds on the pipeline's test results (JUnit) and coverage, read from earlier jobs' artifacts.",
  },
  {
    name: 'deploy-approval',
    stage: 'deploy-approval',
    title: 'Deploy approval',
    pipelineStage: 'test',
    reports: [JUNIT],
    extraFormats: [HTML],
    sets: [{ key: 'deploy-approval.environment', value: '$DSF_ENVIRONMENT' }],
    startsImmediately: false,
    when: 'on_success',
    kind: 'deploy',
    description:
      "The environment's policy over every stage report, human approvals and freezes, with an evidence record. The deploy job needs this one.",
  },
];

/** Quotes a YAML scalar safely (JSON strings are valid YAML double-quoted scalars). */
function q(value: string): string {
  return JSON.stringify(value);
}

interface InputSpec {
  name: string;
  default: string | boolean | Array<{ job: string; optional: boolean }>;
  type?: 'boolean' | 'array';
  options?: string[];
  description: string;
}

function commonInputs(version: string, extra: InputSpec[]): InputSpec[] {
  return [
    ...extra,
    { name: 'image', default: 'node:22-alpine', description: 'Image with Node.js >= 20 to run the CLI in.' },
    {
      name: 'version',
      default: version,
      description: 'DevSecFlow CLI version the job runs (npm package devsecflow).',
    },
    {
      name: 'cli',
      default: '',
      description:
        'Command that runs the CLI. Empty: npx --yes devsecflow@<version>. Set it to use a vendored or preinstalled CLI.',
    },
    { name: 'root', default: '.', description: 'Directory to scan, relative to the project (--root).' },
    {
      name: 'config',
      default: '',
      description: 'devsecflow.yml to use (--config). Empty: <root>/devsecflow.yml when it exists.',
    },
    {
      name: 'fail-on',
      default: '',
      options: ['', 'critical', 'high', 'medium', 'low', 'info', 'none'],
      description: "Fail on findings at or above this severity (--fail-on). Empty: the config's failOn.",
    },
    {
      name: 'allow-failure',
      default: false,
      type: 'boolean',
      description: 'Let the pipeline pass when the gate fails (the job shows a warning).',
    },
    {
      name: 'args',
      default: '',
      description: 'Extra CLI arguments, e.g. "--new-only --set secrets.since=HEAD~20".',
    },
    {
      name: 'note-key',
      default: '',
      description: 'Distinguishes the MR note and commit status when a stage runs more than once (per team).',
    },
    {
      name: 'mr-note',
      default: true,
      type: 'boolean',
      description: 'Upsert one MR note per stage (needs the DEVSECFLOW_GITLAB_TOKEN variable).',
    },
    {
      name: 'commit-status',
      default: false,
      type: 'boolean',
      description: 'Set a devsecflow/<stage> commit status (needs DEVSECFLOW_GITLAB_TOKEN).',
    },
  ];
}

function renderInputs(inputs: InputSpec[]): string {
  const lines = ['spec:', '  inputs:'];
  for (const i of inputs) {
    lines.push(`    ${i.name}:`);
    if (i.type) lines.push(`      type: ${i.type}`);
    if (Array.isArray(i.default)) {
      lines.push('      default:');
      for (const n of i.default) lines.push(`        - { job: ${q(n.job)}, optional: ${n.optional} }`);
    } else {
      lines.push(`      default: ${typeof i.default === 'boolean' ? String(i.default) : q(i.default)}`);
    }
    if (i.options) lines.push(`      options: [${i.options.map(q).join(', ')}]`);
    lines.push(`      description: ${q(i.description)}`);
  }
  return lines.join('\n');
}

/** The job body (everything under the job name) for one stage. `input(x)` is how inputs are referenced. */
function renderJob(
  t: TemplateStage,
  jobName: string,
  pipelineStage: string,
  enabledVar?: string,
  needs?: string,
): string {
  const out = `.devsecflow/reports/${jobName}`;
  const formats = [
    ...t.reports.flatMap((r) => (r.format ? [r.format] : [])),
    ...t.extraFormats.map((f) => f.format),
  ];
  const sets = [
    ...t.reports.flatMap((r) =>
      r.stageOption ? [{ key: r.stageOption, value: `$PWD/$DSF_OUTPUT_DIR/${r.file}` }] : [],
    ),
    ...t.sets,
  ];
  const rules: string[] = [];
  if (enabledVar) rules.push(`    - if: $DSF_ENABLED != "true"`, '      when: never');
  // MR pipelines, and the default branch; feature-branch pipelines are skipped so an open MR
  // does not run the job twice (once for the branch, once for the MR).
  const when = t.when === 'always' ? '\n      when: always' : '';
  if (t.kind === 'deploy') {
    // Deploys happen from the default branch and tags.
    rules.push(`    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH${when}`, `    - if: $CI_COMMIT_TAG${when}`);
  } else {
    rules.push(
      `    - if: $CI_PIPELINE_SOURCE == "merge_request_event"${when}`,
      `    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH${when}`,
    );
  }
  const needsLine = t.startsImmediately
    ? '\n  needs: []'
    : needs
      ? `\n  needs:${needs.startsWith('\n') ? '' : ' '}${needs}`
      : '';
  const deployLines =
    t.kind === 'deploy'
      ? '\n  # One decision at a time per environment keeps the evidence chain in order.\n  resource_group: "devsecflow-deploy-$[[ inputs.environment ]]"'
      : '';
  return `${q(jobName)}:
  stage: ${q(pipelineStage)}
  image: $[[ inputs.image ]]
  allow_failure: $[[ inputs.allow-failure ]]
  interruptible: ${t.kind === 'deploy' ? 'false' : 'true'}${needsLine}${deployLines}
  variables:
    # Inputs reach the script as variables, expanded inside double quotes only: no input or CI
    # variable (branch names, MR titles) is ever parsed as shell code.
    DSF_CLI: "$[[ inputs.cli ]]"
    DSF_VERSION: "$[[ inputs.version ]]"
    DSF_ROOT: "$[[ inputs.root ]]"
    DSF_CONFIG: "$[[ inputs.config ]]"
    DSF_FAIL_ON: "$[[ inputs.fail-on ]]"
    DSF_ARGS: "$[[ inputs.args ]]"
    DSF_OUTPUT_DIR: ${q(out)}${enabledVar ? `\n    DSF_ENABLED: "$[[ inputs.${enabledVar} ]]"` : ''}${
      t.kind === 'deploy' ? '\n    DSF_ENVIRONMENT: "$[[ inputs.environment ]]"' : ''
    }
    DEVSECFLOW_NOTE_KEY: "$[[ inputs.note-key ]]"
    DSF_MR_NOTE: "$[[ inputs.mr-note ]]"
    DSF_COMMIT_STATUS: "$[[ inputs.commit-status ]]"
    npm_config_cache: "$CI_PROJECT_DIR/.devsecflow/cache/npm"
    npm_config_update_notifier: "false"
    npm_config_fund: "false"
  cache:
    key: "devsecflow-$[[ inputs.version ]]"
    paths:
      - .devsecflow/cache/
    when: always
  script:
    - |
      # The cache and reports live in the clone: keep them out of the scan.
      if [ -d .git/info ] && ! grep -qsxF '/.devsecflow/' .git/info/exclude; then echo '/.devsecflow/' >> .git/info/exclude; fi
      # Diff-aware mode and history scans use git; small images do not ship it.
      command -v git >/dev/null 2>&1 || apk add --no-cache git >/dev/null 2>&1 || true
      # parallel: N on the job shards the scan by path; \`devsecflow merge\` joins the shard reports.
      if [ "$\{CI_NODE_TOTAL:-1}" -gt 1 ]; then DSF_OUTPUT_DIR="$DSF_OUTPUT_DIR/shard-$CI_NODE_INDEX"; DSF_SHARD="$CI_NODE_INDEX/$CI_NODE_TOTAL"; fi
      set -- run ${t.stage} --root "$DSF_ROOT" --output-dir "$DSF_OUTPUT_DIR"${formats.map((f) => ` --format ${f}`).join('')}${sets.map((o) => ` --set "${o.key}=${o.value}"`).join('')}
      if [ -n "$DSF_CONFIG" ]; then set -- "$@" --config "$DSF_CONFIG"; fi
      if [ -n "$DSF_FAIL_ON" ]; then set -- "$@" --fail-on "$DSF_FAIL_ON"; fi
      if [ -n "$\{DSF_SHARD:-}" ]; then set -- "$@" --shard "$DSF_SHARD"; fi
      if [ "$DSF_MR_NOTE" = "false" ]; then set -- "$@" --no-comment; fi
      if [ "$DSF_COMMIT_STATUS" = "true" ]; then set -- "$@" --status; fi
      DSF_CLI="$\{DSF_CLI:-npx --yes devsecflow@$DSF_VERSION}"
      # cli and args are split into words on purpose (a command and its flags).
      $DSF_CLI "$@" $DSF_ARGS
  artifacts:
    when: always
    paths:
      - ${out}/${t.kind === 'deploy' ? '\n      - .devsecflow/evidence.jsonl' : ''}
    reports:
${t.reports.map((r) => `      ${r.key}: ${out}/${r.file}`).join('\n')}
  rules:
${rules.join('\n')}`;
}

function header(title: string, lines: string[]): string {
  return [`# DevSecFlow: ${title}`, ...lines.map((l) => (l ? `# ${l}` : '#'))].join('\n');
}

const USAGE = (name: string) => [
  '',
  'Use it as a CI/CD catalog component, or include it from the DevSecFlow project or a URL:',
  `  include:`,
  `    - component: $CI_SERVER_FQDN/devsecflow/components/${name}@<version>`,
  `    - project: devsecflow/devsecflow`,
  `      ref: v<version>`,
  `      file: gitlab-templates/${name}.yml`,
  '      inputs: { fail-on: high }',
  'Docs: docs/gitlab.md. Generated by packages/gitlab (pnpm run templates): edit src/templates.ts, not this file.',
];

/** The scan templates whose reports a deploy approval reads (the test gate runs in .post, after it). */
const SCAN_JOBS = ['sast', 'dependency-scan', 'secrets'];

function deployInputs(needs: string[] | undefined): InputSpec[] {
  return [
    {
      name: 'environment',
      default: 'production',
      description: 'The environment being deployed (--environment).',
    },
    ...(needs
      ? [
          {
            name: 'needs',
            type: 'array' as const,
            default: needs.map((job) => ({ job, optional: true })),
            description:
              'Jobs whose reports the decision reads (their artifacts arrive under .devsecflow/reports/).',
          },
        ]
      : []),
  ];
}

/** One stage's template file. */
export function renderStageTemplate(t: TemplateStage, version: string): string {
  const inputs = commonInputs(version, [
    {
      name: 'job-name',
      default: `devsecflow-${t.name}`,
      description: 'Job name (include twice with other names).',
    },
    { name: 'stage', default: t.pipelineStage, description: 'Pipeline stage of the job.' },
    ...(t.kind === 'deploy' ? deployInputs(SCAN_JOBS.map((n) => `devsecflow-${n}`)) : []),
  ]);
  const job = renderJob(
    t,
    '$[[ inputs.job-name ]]',
    '$[[ inputs.stage ]]',
    undefined,
    t.kind === 'deploy' ? '$[[ inputs.needs ]]' : undefined,
  );
  return `${header(t.title, [t.description, ...USAGE(t.name)])}
${renderInputs(inputs)}
---
${job}
`;
}

/**
 * All stages in one file: one job per stage named `<job-prefix>-<template>`, each switchable by a
 * boolean input. The test gate and the deploy approval are opt-in; the deploy approval `needs` the
 * scan jobs (optional, so switched-off ones are skipped) and reads their reports.
 */
export function renderAllTemplate(version: string): string {
  const optIn = (t: TemplateStage) => t.stage === 'test-gate' || t.kind === 'deploy';
  const toggles: InputSpec[] = TEMPLATE_STAGES.map((t) => ({
    name: t.name,
    default: !optIn(t),
    type: 'boolean' as const,
    description: `Run the ${t.title} job${
      t.stage === 'test-gate'
        ? ' (needs test results from earlier jobs)'
        : t.kind === 'deploy'
          ? ' on the default branch and tags (needs a deploy-approval policy)'
          : ''
    }.`,
  }));
  const inputs = commonInputs(version, [
    {
      name: 'job-prefix',
      default: 'devsecflow',
      description: 'Jobs are named <job-prefix>-<stage>: include twice with other prefixes (per team).',
    },
    {
      name: 'stage',
      default: 'test',
      description: 'Pipeline stage of the scanning and approval jobs (the test gate runs in .post).',
    },
    ...toggles,
    ...deployInputs(undefined),
  ]);
  const scanNeeds = `\n${SCAN_JOBS.map((n) => `    - { job: "$[[ inputs.job-prefix ]]-${n}", optional: true }`).join('\n')}`;
  const jobs = TEMPLATE_STAGES.map((t) =>
    renderJob(
      t,
      `$[[ inputs.job-prefix ]]-${t.name}`,
      t.stage === 'test-gate' ? t.pipelineStage : '$[[ inputs.stage ]]',
      t.name,
      t.kind === 'deploy' ? scanNeeds : undefined,
    ),
  );
  return `${header('all stages', [
    'SAST, dependency scan, secret detection, and (opt-in) the test gate and the deploy approval, one job each.',
    ...USAGE('all'),
  ])}
${renderInputs(inputs)}
---
${jobs.join('\n\n')}
`;
}

/** Every template file, by file name. */
export function renderTemplates(version: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const t of TEMPLATE_STAGES) files[`${t.name}.yml`] = renderStageTemplate(t, version);
  files['all.yml'] = renderAllTemplate(version);
  return files;
}
