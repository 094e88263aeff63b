import type { JobDoc } from '@hookline/store';

export type { JobDoc };

/** What the runner needs of its store (`Jobs` of `@hookline/store`; an in-memory one in tests). */
export interface JobStore {
  /** Queues a job; throws `JobAlreadyActive` (of `@hookline/store`) when another job of its `exclusive` key is active. */
  insert(job: JobDoc): Promise<void>;
  /** Takes the oldest queued job, or a running one whose lease ran out (its process died), until `leaseUntil`. */
  claim(runner: string, now: number, leaseUntil: number): Promise<JobDoc | null>;
  /** Records progress and extends the lease; false when the job is no longer this runner's. */
  progress(id: string, runner: string, done: number, leaseUntil: number): Promise<boolean>;
  /** Extends the lease only (progress reports may be in flight: a renewal must not write an older count). */
  renew(id: string, runner: string, leaseUntil: number): Promise<boolean>;
  finish(id: string, runner: string, outcome: { state: 'done'; done: number } | { state: 'failed'; error: string }): Promise<void>;
  /** Hands a job back to the queue (its runner is stopping). */
  release(id: string, runner: string): Promise<void>;
  find(id: string, tenantId: string): Promise<JobDoc | null>;
}
