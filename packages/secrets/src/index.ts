export * from './endpoint-values.js';
export * from './env.js';
export * from './keyring.js';
