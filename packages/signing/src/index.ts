export * from './errors.js';
export * from './standard-webhooks.js';
export * from './hmac-hex.js';
export * from './signing-scheme.js';
export * from './registry.js';
export * from './scheme.js';
