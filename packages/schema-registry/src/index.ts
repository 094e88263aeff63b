export * from './confluent.js';
export * from './failures.js';
export * from './port.js';
