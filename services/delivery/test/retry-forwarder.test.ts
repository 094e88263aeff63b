import { taskRecord } from '@hookline/delivery-policy';
import { createMemoryEventLog, type MemoryEventLog } from '@hookline/kafka';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRetryForwarder } from '../src/retry-forwarder.js';
import { task, topics } from './engine-fixtures.js';

let log: MemoryEventLog;
const tier = topics.retry('5s');

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
  log = createMemoryEventLog({ defaultPartitions: 1 });
});
afterEach(async () => {
  await log.close();
  vi.useRealTimers();
});

async function start(onForwarded?: (topic: string, lagMs: number) => void) {
  const publisher = await log.publisher();
  await startRetryForwarder({
    log,
    publisher,
    groupId: 'retry',
    topics: [tier],
    destination: topics.deliveries,
    ...(onForwarded ? { onForwarded } : {}),
  });
  return publisher;
}

const forwarded = () => log.values<{ eventId: string }>(topics.deliveries).map((t) => t.eventId);

describe('retry forwarder', () => {
  it('forwards due tasks at once and holds the rest until they fall due, in order', async () => {
    const now = Date.now();
    const lags: number[] = [];
    const publisher = await start((_topic, lagMs) => lags.push(lagMs));
    await publisher.publish([
      {
        topic: tier,
        records: [
          taskRecord({ ...task('ep', 'due'), dueAt: now - 20 }),
          taskRecord({ ...task('ep', 'later'), dueAt: now + 5_000 }),
          taskRecord({ ...task('ep', 'after'), dueAt: now + 5_000 }),
        ],
      },
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(forwarded()).toEqual(['due']);
    expect(lags).toEqual([20]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(forwarded()).toEqual(['due']);
    expect(log.committed('retry')).toEqual([{ topic: tier, partition: 0, offset: 1n }]);
    await vi.advanceTimersByTimeAsync(1);
    expect(forwarded()).toEqual(['due', 'later', 'after']);
    expect(log.committed('retry')).toEqual([{ topic: tier, partition: 0, offset: 3n }]);
  });

  it('forwards an unreadable record at once (delivery rejects it with the reason), with key and bytes', async () => {
    const publisher = await start();
    await publisher.publish([{ topic: tier, records: [{ key: 'ep', value: '{oops' }] }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.records(topics.deliveries).map((r) => [r.key, r.value?.toString()])).toEqual([['ep', '{oops']]);
  });

  it('reads the batch again when forwarding fails, and commits only once it is written', async () => {
    await (await log.publisher()).publish([{ topic: tier, records: [taskRecord({ ...task('ep', 'e1'), dueAt: 0 })] }]);
    log.failPublishes(new Error('broker down'));
    await start();
    await vi.advanceTimersByTimeAsync(0);
    expect(log.committed('retry')).toEqual([]);
    log.failPublishes();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(forwarded()).toEqual(['e1']);
    expect(log.committed('retry')).toEqual([{ topic: tier, partition: 0, offset: 1n }]);
  });
});
