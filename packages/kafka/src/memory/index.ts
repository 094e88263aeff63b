export { type CommittedOffset, createMemoryEventLog, MemoryEventLog, type MemoryEventLogOptions } from './event-log.js';
