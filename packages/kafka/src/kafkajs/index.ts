export { createKafkaEventLog, type KafkaEventLogOptions } from './event-log.js';
