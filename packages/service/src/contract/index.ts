export * from './document.js';
export * from './limits.js';
export * from './mount.js';
export * from './route.js';
export * from './token-buckets.js';
