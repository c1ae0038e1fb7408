// The protocol's codes and limits without its schemas: for code that needs the numbers only
// (the embedded store's worker thread), so it does not load zod and every schema.
export * from './codes.js';
export * from './limits.js';
