import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaGroupConsumer } from '../src/kafkajs/group-consumer.js';
import { StubConsumer } from './stub-consumer.js';

let made: StubConsumer[];
let member: KafkaGroupConsumer;
beforeEach(async () => {
  vi.useFakeTimers();
  made = [];
  const kafka = {
    consumer: () => {
      const consumer = new StubConsumer();
      made.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  member = new KafkaGroupConsumer(kafka, { groupId: 'g', topics: ['t'], onBatch: async () => undefined }, pino({ level: 'silent' }));
  await member.start();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a consumer kafkajs leaves stopped after a crash', () => {
  it('is replaced by a new consumer after a back-off that doubles while crashes follow', async () => {
    made[0]!.crash(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(2);
    expect(made[1]!.run).toHaveBeenCalledTimes(1);
    expect(member.health().status).toBe('degraded');

    made[1]!.crash(false);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(made).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(3);
  });

  it('is left to kafkajs when kafkajs restarts it, and not restarted once stopping', async () => {
    made[0]!.crash(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(made).toHaveLength(1);

    made[0]!.crash(false);
    await member.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(made).toHaveLength(1);
  });
});
