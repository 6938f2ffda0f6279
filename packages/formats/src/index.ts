export * from './gitlab.js';
export * from './json.js';
export * from './sarif-reader.js';
export * from './sarif-writer.js';
