export * from './env.js';
export * from './topics.js';
export * from './ids.js';
export * from './errors.js';
export * from './schemas.js';
export * from './config-state.js';
export * from './matching.js';
export * from './api-keys.js';
