export * from './ed25519.js';
export * from './errors.js';
export * from './hmac-hex.js';
export * from './registry.js';
export * from './scheme.js';
export * from './signing-scheme.js';
export * from './standard-webhooks.js';
