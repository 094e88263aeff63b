export * from './document.js';
export * from './mount.js';
export * from './route.js';
