export * from './contract/index.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './metrics.js';
export * from './node-flags.js';
export * from './openapi.js';
export * from './unsupported-methods.js';
