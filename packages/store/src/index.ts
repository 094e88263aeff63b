export * from './store.js';
export * from './idempotency.js';
export * from './dead-letters.js';
export * from './attempt-feed.js';
export * from './timeseries.js';
export * from './incoming-calls.js';
export * from './alerts.js';
export * from './jobs.js';
