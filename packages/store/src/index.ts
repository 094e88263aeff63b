export * from './alerts.js';
export * from './attempt-feed.js';
export * from './dead-letters.js';
export * from './idempotency.js';
export * from './incoming-calls.js';
export * from './jobs.js';
export * from './store.js';
export * from './timeseries.js';
