export * from './fake-github.js';
export * from './run-action.js';
