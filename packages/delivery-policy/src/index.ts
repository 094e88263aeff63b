export * from './plan.js';
export * from './records.js';
