// One zod for every package: stages define their option schemas with the instance core checks
// them with, and the bundle loads it once.
export { z } from 'zod';
export * from './baseline.js';
export * from './config.js';
export * from './diff.js';
export * from './errors.js';
export * from './fingerprint.js';
export * from './gate.js';
export * from './glob.js';
export * from './json.js';
export * from './keywords.js';
export * from './local-platform.js';
export * from './logger.js';
export * from './merge.js';
export * from './model.js';
export * from './pipeline.js';
export * from './platform.js';
export * from './policy.js';
export * from './run-stage.js';
export * from './severity.js';
export * from './stage.js';
export * from './suppress.js';
export * from './walker.js';
export * from './walker-types.js';
