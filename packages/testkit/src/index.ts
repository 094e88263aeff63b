export * from './infra.js';
export * from './services.js';
export * from './receiver.js';
export * from './api.js';
export * from './paths.js';
export * from './tenant.js';
