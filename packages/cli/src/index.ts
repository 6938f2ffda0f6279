export { runCli } from './main.js';
export { exitCodeFor, loadPolicy, type PipelineOptions, type PipelineResult, runPipeline } from './runner.js';
export { STAGES } from './stages.js';
export { VERSION } from './version.js';
