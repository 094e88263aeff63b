export * from './route.js';
export * from './mount.js';
export * from './document.js';
