// DevSecFlow deploy approval: read the inputs, run one stage through the shared runner (which publishes through
// the GitHub platform), set the outputs and the exit code. Everything else lives in the runner and
// @devsecflow/github, shared with the CLI.
import { runAction } from '@devsecflow/github';

await runAction({
  stage: 'deploy-approval',
  runner: () => import('devsecflow/runner'),
  native: new URL('./native.json', import.meta.url),
});
