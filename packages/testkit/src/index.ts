export * from './api.js';
export * from './extra-instance.js';
export * from './infra.js';
export * from './paths.js';
export * from './receiver.js';
export * from './services.js';
export * from './tenant.js';
