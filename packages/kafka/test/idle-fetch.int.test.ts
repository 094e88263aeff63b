import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient } from '../src/kafkajs/client.js';
import { groupConsumerConfig, idleFetchWaitMs, KafkaGroupConsumer } from '../src/kafkajs/group-consumer.js';
import { createKafkaEventLog } from '../src/kafkajs/index.js';
import type { EventLog, RunningConsumer } from '../src/port.js';
import { deleteRunTopics } from './run-topics.js';

const run = `idle-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
let log: EventLog;
const running: RunningConsumer[] = [];

let brokers: string[];

beforeAll(() => {
  brokers = inject('infra').kafkaBrokers.split(',');
  log = createKafkaEventLog({ brokers, clientId: run, logger: pino({ level: 'warn' }) });
});
afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await deleteRunTopics(log, run);
  await log?.close();
});

describe('idle consumers on the real broker', () => {
  it('wait long on empty fetches (few requests while idle) and heartbeat well within the session', () => {
    const config = groupConsumerConfig({ groupId: 'g' });
    expect(config.maxWaitTimeInMs).toBe(idleFetchWaitMs);
    expect(idleFetchWaitMs).toBeGreaterThanOrEqual(2_000);
    expect(config.minBytes).toBe(1);
    expect(config.heartbeatInterval! * 3).toBeLessThanOrEqual(config.sessionTimeout!);
    expect(idleFetchWaitMs).toBeLessThan(config.sessionTimeout! / 2);
  });

  it('still hand over a record as soon as it is written: the long wait ends when data arrives', async () => {
    const topic = `${run}.records`;
    await log.ensureTopics([{ topic, numPartitions: 4 }]);
    const handledAt = new Map<string, number>();
    let assigned = false;
    running.push(
      await log.consume({
        groupId: `${run}-group`,
        topics: [topic],
        onAssignment: (partitions) => (assigned = partitions.length > 0),
        async onBatch(batch) {
          for (const record of batch.records) handledAt.set(record.value!.toString(), performance.now());
        },
      }),
    );
    const publisher = await log.publisher({ lingerMs: 0 });
    await waitUntil(() => assigned, 60_000);
    // The first record also waits out the group's first fetch position; the rest meet a consumer parked in a fetch.
    const latencies: number[] = [];
    for (let i = 0; i < 6; i++) {
      const key = `r${i}`;
      await publisher.publish([{ topic, records: [{ key, value: key }] }]);
      const acked = performance.now();
      await waitUntil(() => handledAt.has(key), 30_000);
      latencies.push(handledAt.get(key)! - acked);
    }
    await publisher.close();
    // Each would take up to the full wait (3 s) if data did not end it; on the real broker it is milliseconds.
    expect(Math.max(...latencies.slice(1)), JSON.stringify(latencies)).toBeLessThan(idleFetchWaitMs / 3);
  });

  it('a member that gathers minBytes under load hands over the first record after a quiet spell at once', async () => {
    const topic = `${run}.gathered`;
    await log.ensureTopics([{ topic, numPartitions: 1 }]);
    const gatherWaitMs = 10_000;
    expect(groupConsumerConfig({ groupId: 'g', minBytes: 4 << 20, maxWaitMs: gatherWaitMs }).idleMaxWaitTimeInMs).toBe(gatherWaitMs);
    expect(groupConsumerConfig({ groupId: 'g', minBytes: 4 << 20, maxWaitMs: 500 }).idleMaxWaitTimeInMs).toBe(idleFetchWaitMs);
    expect(groupConsumerConfig({ groupId: 'g', maxWaitMs: 1_000 }).idleMaxWaitTimeInMs).toBeUndefined();
    // The member as the port makes it, on a client whose consumers report when each fetch started (kafkajs' FETCH
    // event, at its end): that is how the test knows a fetch came back empty after the warm-up batch.
    const kafka = createKafkaClient({ brokers, clientId: `${run}-gathering`, logger: pino({ level: 'warn' }) });
    const fetchStarts: number[] = [];
    const newConsumer = kafka.consumer.bind(kafka);
    kafka.consumer = (config) => {
      const consumer = newConsumer(config);
      consumer.on(consumer.events.FETCH, ({ payload }) => fetchStarts.push(Date.now() - payload.duration));
      return consumer;
    };
    const handled = new Map<string, number>();
    const member = new KafkaGroupConsumer(
      kafka,
      {
        groupId: `${run}-gathering`,
        topics: [topic],
        minBytes: 4 << 20,
        maxWaitMs: gatherWaitMs,
        async onBatch(batch) {
          for (const record of batch.records) handled.set(record.value!.toString(), Date.now());
        },
      },
      pino({ level: 'warn' }),
    );
    await member.start();
    running.push(member);
    const publisher = await log.publisher({ lingerMs: 0 });
    await publisher.publish([{ topic, records: [{ key: 'a', value: 'warm' }] }]);
    await waitUntil(() => handled.has('warm'), 60_000);
    // After a batch the member gathers again: a fetch begun after it waits the full 10 s for 4 MiB and comes back
    // empty. Once one has ended, the member is idle.
    const warmAt = handled.get('warm')!;
    await waitUntil(() => fetchStarts.some((start) => start >= warmAt), 3 * gatherWaitMs);
    await publisher.publish([{ topic, records: [{ key: 'a', value: 'after the quiet spell' }] }]);
    await publisher.close();
    // Gathering still, the record would wait for the fetch in flight to end, up to 10 s from now.
    await waitUntil(() => handled.has('after the quiet spell'), 4_000);
  });
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
