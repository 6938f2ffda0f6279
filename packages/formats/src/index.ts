export * from './gitlab.js';
export * from './html.js';
export * from './junit.js';
export * from './markdown.js';
export * from './registry.js';
export * from './report-file.js';
export * from './sarif-reader.js';
export * from './sarif-writer.js';
export { STAGE_TITLES } from './util.js';
