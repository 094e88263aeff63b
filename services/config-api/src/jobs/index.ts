export * from './job-store.js';
export * from './kind.js';
export * from './recover.js';
export * from './replay.js';
export * from './runner.js';
