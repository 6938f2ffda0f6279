export * from './fake-github.js';
export * from './fake-pulls.js';
export * from './run-action.js';
