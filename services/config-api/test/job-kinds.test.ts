import { createMemoryEventLog, type MemoryEventLog } from '@hookline/kafka';
import { createLogger } from '@hookline/service';
import { type DeadLetterDoc, type DeadLetterFilter, JobAlreadyActive } from '@hookline/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
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

/** Dead letters in memory, with the store's semantics for what replay uses. */
function memoryLetters(docs: DeadLetterDoc[]) {
  const letters = new Map(docs.map((d) => [d._id, d]));
  return {
    letters,
    find: (_endpointId: string, filter: DeadLetterFilter, limit: number) => ({
      toArray: async () =>
        [...letters.values()]
          .filter((l) => l.state === filter.state && (!filter.to || l.deadLetteredAt <= filter.to))
          .sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt))
          .slice(0, limit),
    }),
    markReplayed: async (ids: string[], by: { job: string; batch: number }) => {
      for (const id of ids) {
        const l = letters.get(id)!;
        if (l.state === 'dead') letters.set(id, { ...l, state: 'replayed', replayJob: by.job, replayBatch: by.batch });
      }
    },
    replayBatch: async (job: string, batch: number) =>
      [...letters.values()].filter((l) => l.state === 'replayed' && l.replayJob === job && l.replayBatch === batch),
  };
}

describe('replay', () => {
  it("sends the endpoint's dead letters again as their next attempt, in batches, marking them replayed", async () => {
    const source = memoryLetters(['d1', 'd2', 'd3'].map((id, i) => letter(id, i + 1)));
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
    expect([...source.letters.values()].map((l) => l.state)).toEqual(['replayed', 'replayed', 'replayed']);
  });

  it('takes the letters dead when it was created: one that fails again meanwhile is sent once and stays dead, unmarked', async () => {
    const source = memoryLetters(['d1', 'd2', 'd3', 'd4'].map((id) => letter(id, 1)));
    const publisher = await log.publisher();
    // Every resend fails at once: the projector replaces the letter with a newer, dead one (no marks).
    const failingAgain = {
      publish: async (batches: Parameters<typeof publisher.publish>[0]) => {
        await publisher.publish(batches);
        for (const record of batches[0]!.records) {
          const task = JSON.parse(String(record.value)) as TaskValue;
          const stored = source.letters.get(task.deliveryId)!;
          source.letters.set(task.deliveryId, {
            ...letter(task.deliveryId, task.attempt),
            deadLetteredAt: new Date(Date.now() + 1).toISOString(),
            state: stored.state === 'replayed' ? 'dead' : stored.state,
          });
        }
      },
    };
    const store = new MemoryJobStore();
    const replay = replayJob({ letters: source, publisher: failingAgain, deliveriesTopic: 'deliveries', batchSize: 1 });
    runner = new JobRunner({ store, kinds: [replay], logger });
    runner.start();
    const job = await runner.enqueue(replay, { ...newJob, total: 4, params: {} });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 4 });
    expect((log.values('deliveries') as TaskValue[]).map((t) => t.deliveryId)).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect([...source.letters.values()].map((l) => [l.state, l.task.attempt, l.replayJob])).toEqual([
      ['dead', 2, undefined],
      ['dead', 2, undefined],
      ['dead', 2, undefined],
      ['dead', 2, undefined],
    ]);
  });

  it('a resumed job sends the batch it had marked but maybe not sent, then the rest', async () => {
    const source = memoryLetters(['d1', 'd2', 'd3'].map((id) => letter(id, 1)));
    const store = new MemoryJobStore();
    const replay = replayJob({ letters: source, publisher: await log.publisher(), deliveriesTopic: 'deliveries', batchSize: 1 });
    const created = new Date().toISOString();
    // The previous runner sent d1 (progress 1), marked d2 as batch 1 and died.
    await source.markReplayed(['d1'], { job: 'rpl_1', batch: 0 });
    await source.markReplayed(['d2'], { job: 'rpl_1', batch: 1 });
    await store.insert({
      _id: 'rpl_1',
      kind: 'replay',
      ...newJob,
      state: 'queued',
      total: 3,
      done: 1,
      params: {},
      createdAt: created,
      updatedAt: created,
    });
    runner = new JobRunner({ store, kinds: [replay], logger });
    runner.start();
    expect(await store.until('rpl_1', 'done')).toMatchObject({ done: 3 });
    expect((log.values('deliveries') as TaskValue[]).map((t) => t.deliveryId)).toEqual(['d2', 'd3']);
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

describe('exclusive jobs', () => {
  it('refuses a second job of the same key while the first is queued or running, and takes one once it ended', async () => {
    const store = new MemoryJobStore();
    const running: (() => void)[] = [];
    const blocking = {
      name: 'blocking',
      params: z.object({}),
      run: (_job: unknown, { signal }: { signal: AbortSignal }) =>
        new Promise<void>((resolve) => {
          running.push(resolve);
          signal.addEventListener('abort', () => resolve());
        }),
    };
    runner = new JobRunner({ store, kinds: [blocking], logger });
    runner.start();
    const first = await runner.enqueue(blocking, { ...newJob, total: 1, params: {}, exclusive: 'recover:ep_1' });
    await expect(runner.enqueue(blocking, { ...newJob, total: 1, params: {}, exclusive: 'recover:ep_1' })).rejects.toBeInstanceOf(
      JobAlreadyActive,
    );
    // Another endpoint's job is not held up.
    await runner.enqueue(blocking, { ...newJob, endpointId: 'ep_2', total: 1, params: {}, exclusive: 'recover:ep_2' });
    await store.until(first._id, 'running');
    for (const finish of running) finish();
    await store.until(first._id, 'done');
    await expect(runner.enqueue(blocking, { ...newJob, total: 1, params: {}, exclusive: 'recover:ep_1' })).resolves.toMatchObject({
      state: 'queued',
    });
  });
});
