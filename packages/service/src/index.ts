export * from './logger.js';
export * from './metrics.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './openapi.js';
export * from './contract/index.js';
