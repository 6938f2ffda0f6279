export * from './fake-merge-requests.js';
