import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { createKafkaEventLog } from '../src/kafkajs/index.js';
import type { EventLog } from '../src/port.js';
import { eventLogContract } from './contract.js';
import { deleteRunTopics } from './run-topics.js';

// Topics and groups unique to this run, so runs sharing a broker never see each other's records.
const run = `contract-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
let log: EventLog;
let n = 0;

beforeAll(() => {
  log = createKafkaEventLog({ brokers: inject('infra').kafkaBrokers.split(','), clientId: run, logger: pino({ level: 'warn' }) });
});
afterAll(async () => {
  await deleteRunTopics(log, run);
  await log?.close();
});

eventLogContract('kafkajs on the real broker', () => ({ log, unique: (name) => `${run}.${name}-${n++}`, timeoutMs: 60_000 }));
