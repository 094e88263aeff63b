export * from './store.js';
export * from './idempotency.js';
