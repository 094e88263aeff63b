import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createKafkaEventLog } from '../src/kafkajs/index.js';
import type { EventLog, TopicPartition } from '../src/port.js';
import { deleteRunTopics } from './run-topics.js';

const run = `slow-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
let log: EventLog;

beforeAll(() => {
  log = createKafkaEventLog({ brokers: inject('infra').kafkaBrokers.split(','), clientId: run, logger: pino({ level: 'warn' }) });
});
afterAll(async () => {
  await deleteRunTopics(log, run);
  await log?.close();
});

describe('a kafkajs member whose handler waits longer than its session (10 s)', () => {
  it('stays in its group: no rebalance, the batch is not read again', async () => {
    const topic = `${run}.slow`;
    await log.ensureTopics([{ topic, numPartitions: 1 }]);
    const publisher = await log.publisher();
    await publisher.publish([{ topic, records: [{ key: 'k', value: 'slow' }] }]);
    const handled: string[] = [];
    const assignments: TopicPartition[][] = [];
    const member = await log.consume({
      groupId: `${run}.group`,
      topics: [topic],
      onAssignment: (assigned) => assignments.push(assigned),
      onBatch: async ({ records }) => {
        for (const record of records) {
          const value = record.value?.toString() ?? '';
          handled.push(value);
          // A store that answers after longer than the session (a busy FerretDB under the projector's writes).
          if (value === 'slow' && handled.length === 1) await new Promise((resolve) => setTimeout(resolve, 14_000));
        }
      },
    });
    try {
      await vi.waitFor(() => expect(handled).toContain('slow'), { timeout: 60_000, interval: 50 });
      // The sentinel comes after the slow batch: once it is handled, anything read again would have come first.
      await publisher.publish([{ topic, records: [{ key: 'k', value: 'sentinel' }] }]);
      await vi.waitFor(() => expect(handled).toContain('sentinel'), { timeout: 60_000, interval: 50 });
      expect(handled).toEqual(['slow', 'sentinel']);
      expect(assignments).toHaveLength(1);
    } finally {
      await member.stop();
      await publisher.close();
    }
  }, 90_000);
});
