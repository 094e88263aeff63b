import type { EachBatchPayload, Kafka } from 'kafkajs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaGroupConsumer } from '../src/kafkajs/group-consumer.js';
import { StubConsumer } from './stub-consumer.js';

let stub: StubConsumer;
let member: KafkaGroupConsumer;
let finish: () => void;

beforeEach(async () => {
  vi.useFakeTimers();
  stub = new StubConsumer();
  const handlerDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const kafka = { consumer: () => stub } as unknown as Kafka;
  member = new KafkaGroupConsumer(kafka, { groupId: 'g', topics: ['t'], onBatch: () => handlerDone }, pino({ level: 'silent' }));
  await member.start();
  stub.emit(stub.events.GROUP_JOIN, { payload: { memberAssignment: { t: [3] } } });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A batch of one record at `offset`, as kafkajs hands it over. */
function batchAt(offset: string): EachBatchPayload {
  const message = { offset, key: null, value: Buffer.from('{}'), headers: {}, timestamp: String(Date.now()), attributes: 0, size: 2 };
  return {
    batch: { topic: 't', partition: 3, messages: [message] },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
}

/** What a member says while a handler waits on a store that does not answer (CI's fault suite could not tell). */
describe('a batch whose handler takes long', () => {
  it('makes the member degraded after 30 s, naming the batch, and ok again once it is done', async () => {
    const handled = stub.eachBatch!(batchAt('42'));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(member.health()).toEqual({ status: 'ok' });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(member.health()).toEqual({ status: 'degraded', reason: 'g: a batch of t[3] from offset 42 in hand for 31 s' });

    finish();
    await handled;
    expect(member.health()).toEqual({ status: 'ok' });
  });
});
