// DevSecFlow (all stages): read the inputs, run the configured stages through the shared runner (which publishes through the
// GitHub platform), set the outputs and the exit code. Everything else lives in the runner and
// @devsecflow/github, shared with the CLI.
import { runAction } from '@devsecflow/github';

await runAction({
  runner: () => import('devsecflow/runner'),
  native: new URL('./native.json', import.meta.url),
});
