import { createLogger } from '@hookline/service';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type JobKind, JobRunner, jobKind } from '../src/jobs/index.js';
import { MemoryJobStore } from './support/memory-job-store.js';

const logger = createLogger('jobs-test', 'silent');

const newJob = { tenantId: 'ten_1', endpointId: 'ep_1', total: 1, idPrefix: 'job' };
let runners: JobRunner[] = [];

function runnerWith(store: MemoryJobStore, kinds: JobKind<unknown>[], options: { leaseMs?: number } = {}) {
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
    const count = jobKind({
      name: 'count',
      params: z.object({ to: z.number() }),
      async run(job, { progress }) {
        for (let i = 1; i <= job.params.to; i++) await progress(i);
      },
    });
    const runner = runnerWith(store, [count]);
    runner.start();
    const job = await runner.enqueue(count, { ...newJob, params: { to: 3 } });
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 3, state: 'done' });
  });

  it('records a failure on the job instead of throwing (no unhandled rejection) and goes on with the next', async () => {
    const store = new MemoryJobStore();
    const boom = jobKind({
      name: 'boom',
      params: z.object({}),
      async run() {
        throw new Error('broker went away');
      },
    });
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
    await store.insert({
      _id: 'job_elsewhere',
      kind: 'fine',
      tenantId: 't',
      endpointId: 'e',
      state: 'queued',
      total: 0,
      done: 0,
      params: {},
      createdAt: at,
      updatedAt: at,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await store.until('job_elsewhere', 'done');
  });

  it('resumes a job left running by a process that died, once its lease ran out', async () => {
    const store = new MemoryJobStore();
    const seen: number[] = [];
    const resume = jobKind({
      name: 'resume',
      params: z.object({}),
      async run(job) {
        seen.push(job.done);
      },
    });
    const at = new Date().toISOString();
    await store.insert({
      _id: 'job_orphan',
      kind: 'resume',
      tenantId: 't',
      endpointId: 'e',
      state: 'running',
      runner: 'dead',
      leaseUntil: Date.now() + 5_000,
      total: 9,
      done: 4,
      params: {},
      createdAt: at,
      updatedAt: at,
    });
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
    const slow = jobKind({
      name: 'slow',
      params: z.object({}),
      async run(_job, { progress, signal }) {
        started();
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        await progress(1);
      },
    });
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

  it('keeps its claim while a job works between progress reports, without writing progress itself', async () => {
    const store = new MemoryJobStore();
    let reported!: () => void;
    const progressed = new Promise<void>((resolve) => (reported = resolve));
    let finish!: () => void;
    const slow = jobKind({
      name: 'slow',
      params: z.object({}),
      async run(_job, { progress }) {
        await progress(5);
        reported();
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const runner = runnerWith(store, [slow], { leaseMs: 3_000 });
    runner.start();
    const job = await runner.enqueue(slow, { ...newJob, params: {} });
    await progressed;
    const leased = store.jobs.get(job._id)!.leaseUntil!;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.jobs.get(job._id)).toMatchObject({ state: 'running', done: 5 });
    expect(store.jobs.get(job._id)!.leaseUntil).toBeGreaterThan(leased + 9_000);
    finish();
    expect(await store.until(job._id, 'done')).toMatchObject({ done: 5 });
  });

  it('records a job of a kind it does not know as failed', async () => {
    const store = new MemoryJobStore();
    const at = new Date().toISOString();
    await store.insert({
      _id: 'job_future',
      kind: 'from-the-future',
      tenantId: 't',
      endpointId: 'e',
      state: 'queued',
      total: 0,
      done: 0,
      params: {},
      createdAt: at,
      updatedAt: at,
    });
    runnerWith(store, []).start();
    expect(await store.until('job_future', 'failed')).toMatchObject({ error: 'no job kind from-the-future' });
  });
});
