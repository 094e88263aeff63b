import { createLogger } from '@hookline/service';
import type { DeadLetterDoc, DeadLetterFilter } from '@hookline/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { JobRunner, jobKind, recoverJob, replayJob, type JobDoc, type JobStore } from '../src/jobs/index.js';
import type { LogRecord, OutgoingRecord, PartitionRange, RecordPublisher, TimeRangeReader } from '../src/ports.js';

const logger = createLogger('jobs-test', 'silent');

/** The runner's store in memory, with the same claim rules as `Jobs` of @hookline/store. */
class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, JobDoc>();
  async insert(job: JobDoc) {
    this.jobs.set(job._id, structuredClone(job));
  }
  async claim(runner: string, now: number, leaseUntil: number) {
    const job = [...this.jobs.values()]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .find((j) => j.state === 'queued' || (j.state === 'running' && (j.leaseUntil ?? 0) < now));
    if (!job) return null;
    Object.assign(job, { state: 'running', runner, leaseUntil });
    return structuredClone(job);
  }
  async progress(id: string, runner: string, done: number, leaseUntil: number) {
    const job = this.jobs.get(id);
    if (!job || job.runner !== runner || job.state !== 'running') return false;
    Object.assign(job, { done, leaseUntil });
    return true;
  }
  async finish(id: string, runner: string, outcome: { state: 'done'; done: number } | { state: 'failed'; error: string }) {
    const job = this.jobs.get(id);
    if (job && job.runner === runner) Object.assign(job, outcome);
  }
  async release(id: string, runner: string) {
    const job = this.jobs.get(id);
    if (job && job.runner === runner && job.state === 'running') Object.assign(job, { state: 'queued', runner: undefined, leaseUntil: undefined });
  }
  async find(id: string, tenantId: string) {
    const job = this.jobs.get(id);
    return job && job.tenantId === tenantId ? job : null;
  }
  /** Resolves once the job is in `state`. */
  async until(id: string, state: JobDoc['state']): Promise<JobDoc> {
    await vi.waitFor(() => expect(this.jobs.get(id)?.state).toBe(state));
    return this.jobs.get(id)!;
  }
}

class MemoryPublisher implements RecordPublisher {
  readonly sent: { topic: string; record: OutgoingRecord }[] = [];
  async publish(batches: { topic: string; records: OutgoingRecord[] }[]) {
    for (const batch of batches) for (const record of batch.records) this.sent.push({ topic: batch.topic, record });
  }
  tasks() {
    return this.sent.map((s) => JSON.parse(String(s.record.value)) as { deliveryId: string; attempt: number; eventId: string; test?: boolean });
  }
}

const newJob = { tenantId: 'ten_1', endpointId: 'ep_1', total: 1, idPrefix: 'job' };
let runners: JobRunner[] = [];

function runnerWith(store: JobStore, kinds: ReturnType<typeof jobKind<any>>[], options: { leaseMs?: number } = {}) {
  const runner = new JobRunner({ store, kinds, logger, pollMs: 1_000, ...options });
  runners.push(runner);
  return runner;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  runners = [];
});
afterEach(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  vi.useRealTimers();
});

describe('the job runner', () => {
  it('runs a queued job and records it done with its progress', async () => {
    const store = new MemoryJobStore();
    const count = jobKind({ name: 'count', params: z.object({ to: z.number() }), async run(job, { progress }) {
      for (let i = 1; i <= job.params.to; i++) await progress(i);
    } });
    const runner = runnerWith(store, [count]);
    runner.start();
    const job = await runner.enqueue(count, { ...newJob, params: { to: 3 } });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 3, state: 'done' });
  });

  it('records a failure on the job instead of throwing (no unhandled rejection) and goes on with the next', async () => {
    const store = new MemoryJobStore();
    const boom = jobKind({ name: 'boom', params: z.object({}), async run() {
      throw new Error('broker went away');
    } });
    const fine = jobKind({ name: 'fine', params: z.object({}), async run() {} });
    const runner = runnerWith(store, [boom, fine]);
    runner.start();
    const failing = await runner.enqueue(boom, { ...newJob, params: {} });
    const next = await runner.enqueue(fine, { ...newJob, params: {} });
    expect(await store.until(failing._id, 'failed')).toMatchObject({ error: 'broker went away' });
    await store.until(next._id, 'done');
  });

  it('picks up a job queued by another process on its next poll', async () => {
    const store = new MemoryJobStore();
    const fine = jobKind({ name: 'fine', params: z.object({}), async run() {} });
    const runner = runnerWith(store, [fine]);
    runner.start();
    const at = new Date().toISOString();
    await store.insert({ _id: 'job_elsewhere', kind: 'fine', tenantId: 't', endpointId: 'e', state: 'queued', total: 0, done: 0, params: {}, createdAt: at, updatedAt: at });
    await vi.advanceTimersByTimeAsync(1_000);
    await store.until('job_elsewhere', 'done');
  });

  it('resumes a job left running by a process that died, once its lease ran out', async () => {
    const store = new MemoryJobStore();
    const seen: number[] = [];
    const resume = jobKind({ name: 'resume', params: z.object({}), async run(job) {
      seen.push(job.done);
    } });
    const at = new Date().toISOString();
    await store.insert({ _id: 'job_orphan', kind: 'resume', tenantId: 't', endpointId: 'e', state: 'running', runner: 'dead', leaseUntil: Date.now() + 5_000, total: 9, done: 4, params: {}, createdAt: at, updatedAt: at });
    const runner = runnerWith(store, [resume]);
    runner.start();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(store.jobs.get('job_orphan')?.state).toBe('running');
    await vi.advanceTimersByTimeAsync(2_000);
    await store.until('job_orphan', 'done');
    expect(seen).toEqual([4]);
  });

  it('on stop, hands a running job back to the queue for the next runner', async () => {
    const store = new MemoryJobStore();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = jobKind({ name: 'slow', params: z.object({}), async run(_job, { progress, signal }) {
      started();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      await progress(1);
    } });
    const runner = runnerWith(store, [slow]);
    runner.start();
    const job = await runner.enqueue(slow, { ...newJob, params: {} });
    await running;
    await runner.stop();
    expect(store.jobs.get(job._id)).toMatchObject({ state: 'queued', done: 0 });
    const next = runnerWith(store, [jobKind({ name: 'slow', params: z.object({}), async run() {} })]);
    next.start();
    await store.until(job._id, 'done');
  });

  it('records a job of a kind it does not know as failed', async () => {
    const store = new MemoryJobStore();
    const at = new Date().toISOString();
    await store.insert({ _id: 'job_future', kind: 'from-the-future', tenantId: 't', endpointId: 'e', state: 'queued', total: 0, done: 0, params: {}, createdAt: at, updatedAt: at });
    runnerWith(store, []).start();
    expect(await store.until('job_future', 'failed')).toMatchObject({ error: 'no job kind from-the-future' });
  });
});

function letter(id: string, attempt: number): DeadLetterDoc {
  const event = { id: `evt_${id}`, type: 'order.paid', tenantId: 'ten_1', timestamp: '2026-01-01T00:00:00.000Z', data: {} };
  return {
    _id: id, endpointId: 'ep_1', tenantId: 'ten_1', state: 'dead', deadLetteredAt: '2026-01-01T00:00:00.000Z', reason: 'exhausted',
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
      markReplayed: async (ids: string[]) => ids.forEach((id) => (letters.get(id)!.state = 'replayed')),
    };
    const publisher = new MemoryPublisher();
    const store = new MemoryJobStore();
    const replay = replayJob({ letters: source, publisher, deliveriesTopic: 'deliveries', batchSize: 2 });
    const runner = runnerWith(store, [replay]);
    runner.start();
    const job = await runner.enqueue(replay, { ...newJob, total: 3, params: {} });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 3 });
    expect(publisher.tasks().map((t) => [t.deliveryId, t.attempt, t.test])).toEqual([['d1', 2, undefined], ['d2', 3, undefined], ['d3', 4, undefined]]);
    expect(publisher.sent.every((s) => s.topic === 'deliveries' && s.record.key === 'ep_1')).toBe(true);
  });
});

describe('recover', () => {
  function eventRecord(partition: number, offset: bigint, type: string, tenantId = 'ten_1'): LogRecord {
    return { partition, offset, value: Buffer.from(JSON.stringify({ id: `evt_${partition}_${offset}`, type, tenantId, timestamp: '2026-01-01T00:00:00.000Z', data: {} })) };
  }
  const log: TimeRangeReader = {
    async offsetsForTime() {
      return [{ partition: 0, start: 1n, end: 3n }, { partition: 1, start: 5n, end: 5n }];
    },
    async readRanges(_topic, ranges: PartitionRange[], onRecords) {
      const all = [eventRecord(0, 0n, 'order.paid'), eventRecord(0, 1n, 'order.paid'), eventRecord(0, 2n, 'user.created'), eventRecord(0, 3n, 'order.paid')];
      for (const range of ranges) await onRecords(all.filter((r) => r.partition === range.partition && r.offset >= range.start && r.offset < range.end));
    },
  };

  it('resends the events of the range the endpoint subscribes to, with their first delivery ids', async () => {
    const { planRecover } = await import('../src/jobs/index.js');
    const plan = await planRecover(log, 'events', 0, undefined);
    expect(plan.total).toBe(2);
    const publisher = new MemoryPublisher();
    const store = new MemoryJobStore();
    const endpoint = { id: 'ep_1', tenantId: 'ten_1', events: ['order.*'], isActive: true } as never;
    const recover = recoverJob({ log, publisher, eventsTopic: 'events', deliveriesTopic: 'deliveries', endpoint: () => endpoint });
    const runner = runnerWith(store, [recover]);
    runner.start();
    const job = await runner.enqueue(recover, { ...newJob, total: plan.total, params: plan.params });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 2 });
    expect(publisher.tasks().map((t) => [t.eventId, t.attempt])).toEqual([['evt_0_1', 1]]);
  });
});
