export * from './client.js';
export * from './topics.js';
export * from './view.js';
export * from './config-view.js';
export * from './bootstrap.js';
export * from './offsets.js';
export * from './retry-tier.js';
export * from './batching-producer.js';
