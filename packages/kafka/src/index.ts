export * from './batching-producer.js';
export * from './bootstrap.js';
// ---- Deprecated: the kafkajs-shaped API the services used before the port; removed at the end of issue 12. ----
export * from './client.js';
export * from './config-view.js';
export * from './connect.js';
export * from './errors.js';
export * from './health.js';
export { createKafkaEventLog, type KafkaEventLogOptions } from './kafkajs/index.js';
export * from './legacy-health.js';
export * from './memory/index.js';
export { OffsetBook, PartitionOffsets } from './offsets.js';
export * from './port.js';
export * from './publish.js';
export * from './retry-tier.js';
export * from './topic-specs.js';
export { ensureTopics } from './topics.js';
