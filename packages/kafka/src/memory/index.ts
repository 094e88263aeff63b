export { createMemoryEventLog, MemoryEventLog, type CommittedOffset, type MemoryEventLogOptions } from './event-log.js';
