export * from './port.js';
export * from './failures.js';
export * from './confluent.js';
