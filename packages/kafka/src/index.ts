export * from './connect.js';
export * from './errors.js';
export * from './health.js';
export { createKafkaEventLog, type KafkaEventLogOptions } from './kafkajs/index.js';
export * from './memory/index.js';
export * from './port.js';
export * from './rejected.js';
export { recordJson, TopicReader } from './testing/topic-reader.js';
export * from './topic-specs.js';
