import { JobAlreadyActive } from '@hookline/store';
import { expect, vi } from 'vitest';
import type { JobDoc, JobStore } from '../../src/jobs/index.js';

/** The runner's store in memory, with the same claim rules as `Jobs` of @hookline/store. */
export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, JobDoc>();
  async insert(job: JobDoc) {
    const active = [...this.jobs.values()].find(
      (j) => job.exclusive !== undefined && j.exclusive === job.exclusive && (j.state === 'queued' || j.state === 'running'),
    );
    if (active) throw new JobAlreadyActive(job.exclusive!, active._id);
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
  async renew(id: string, runner: string, leaseUntil: number) {
    const job = this.jobs.get(id);
    if (!job || job.runner !== runner || job.state !== 'running') return false;
    job.leaseUntil = leaseUntil;
    return true;
  }
  async finish(id: string, runner: string, outcome: { state: 'done'; done: number } | { state: 'failed'; error: string }) {
    const job = this.jobs.get(id);
    if (job && job.runner === runner) Object.assign(job, outcome);
  }
  async release(id: string, runner: string) {
    const job = this.jobs.get(id);
    if (job && job.runner === runner && job.state === 'running')
      Object.assign(job, { state: 'queued', runner: undefined, leaseUntil: undefined });
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
