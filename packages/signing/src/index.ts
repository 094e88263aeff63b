export * from './errors.js';
export * from './standard-webhooks.js';
export * from './hmac-hex.js';
export * from './scheme.js';
