export * from './http.js';
export * from './random.js';
