import { createMemoryEventLog, type MemoryEventLog } from '@hookline/kafka';
import { createLogger } from '@hookline/service';
import type { DeadLetterDoc, DeadLetterFilter } from '@hookline/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobRunner, planRecover, recoverJob, replayJob } from '../src/jobs/index.js';
import { MemoryJobStore } from './support/memory-job-store.js';

const logger = createLogger('job-kinds-test', 'silent');
const newJob = { tenantId: 'ten_1', endpointId: 'ep_1', idPrefix: 'job' };
let log: MemoryEventLog;
let runner: JobRunner | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  log = createMemoryEventLog();
});
afterEach(async () => {
  await runner?.stop();
  await log.close();
  vi.useRealTimers();
});

interface TaskValue {
  deliveryId: string;
  eventId: string;
  attempt: number;
  test?: boolean;
}

function letter(id: string, attempt: number): DeadLetterDoc {
  const event = { id: `evt_${id}`, type: 'order.paid', tenantId: 'ten_1', timestamp: '2026-01-01T00:00:00.000Z', data: {} };
  return {
    _id: id,
    endpointId: 'ep_1',
    tenantId: 'ten_1',
    state: 'dead',
    deadLetteredAt: '2026-01-01T00:00:00.000Z',
    reason: 'exhausted',
    task: { deliveryId: id, eventId: event.id, endpointId: 'ep_1', tenantId: 'ten_1', attempt, dueAt: 0, test: true, event },
  } as DeadLetterDoc;
}

describe('replay', () => {
  it("sends the endpoint's dead letters again as their next attempt, in batches, marking them replayed", async () => {
    const letters = new Map(['d1', 'd2', 'd3'].map((id, i) => [id, letter(id, i + 1)]));
    const source = {
      find: (_endpointId: string, filter: DeadLetterFilter, limit: number) => ({
        toArray: async () => [...letters.values()].filter((l) => l.state === filter.state).slice(0, limit),
      }),
      markReplayed: async (ids: string[]) => {
        for (const id of ids) letters.get(id)!.state = 'replayed';
      },
    };
    const store = new MemoryJobStore();
    const replay = replayJob({ letters: source, publisher: await log.publisher(), deliveriesTopic: 'deliveries', batchSize: 2 });
    runner = new JobRunner({ store, kinds: [replay], logger });
    runner.start();
    const job = await runner.enqueue(replay, { ...newJob, total: 3, params: {} });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 3 });
    const tasks = log.values('deliveries') as TaskValue[];
    expect(tasks.map((t) => [t.deliveryId, t.attempt, t.test])).toEqual([
      ['d1', 2, undefined],
      ['d2', 3, undefined],
      ['d3', 4, undefined],
    ]);
    expect(log.records('deliveries').every((r) => r.key === 'ep_1')).toBe(true);
  });
});

describe('recover', () => {
  async function publishEvent(id: string, type: string, tenantId = 'ten_1') {
    const publisher = await log.publisher();
    const event = { id, type, tenantId, timestamp: new Date().toISOString(), data: {} };
    await publisher.publish([{ topic: 'events', records: [{ key: id, value: JSON.stringify(event) }] }]);
  }

  it('resends the events of the time range that the endpoint subscribes to, as first attempts with their delivery ids', async () => {
    await publishEvent('evt_before', 'order.paid');
    await vi.advanceTimersByTimeAsync(10_000);
    const since = Date.now();
    await publishEvent('evt_paid', 'order.paid');
    await publishEvent('evt_user', 'user.created');
    await publishEvent('evt_other_tenant', 'order.paid', 'ten_2');
    const plan = await planRecover(log, 'events', since, undefined);
    expect(plan.total).toBe(3);
    const store = new MemoryJobStore();
    const endpoint = { id: 'ep_1', tenantId: 'ten_1', events: ['order.*'], isActive: true } as never;
    const recover = recoverJob({
      log,
      publisher: await log.publisher(),
      eventsTopic: 'events',
      deliveriesTopic: 'deliveries',
      endpoint: () => endpoint,
    });
    runner = new JobRunner({ store, kinds: [recover], logger });
    runner.start();
    const job = await runner.enqueue(recover, { ...newJob, total: plan.total, params: plan.params });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 3 });
    const tasks = log.values('deliveries') as TaskValue[];
    expect(tasks.map((t) => [t.eventId, t.attempt, t.deliveryId])).toEqual([['evt_paid', 1, expect.any(String)]]);
  });
});
