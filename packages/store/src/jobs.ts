import { type Collection, type Db, MongoServerError } from 'mongodb';
import type { ReplayJobDoc } from './dead-letters.js';
import { SecondaryIndexes } from './secondary-indexes.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/**
 * A background job of the admin API (replay, recover, scheduled work): what to do (`kind`, `params`), whose it
 * is, and its progress. A runner claims it with a lease that it renews while working; a job whose lease ran out
 * (its process died) is claimed again.
 */
export interface JobDoc<Params = unknown> {
  _id: string;
  kind: string;
  tenantId: string;
  endpointId: string;
  state: JobState;
  total: number;
  done: number;
  params: Params;
  error?: string;
  /** At most one job with this key is queued or running at a time (e.g. `recover:<endpointId>`). */
  exclusive?: string;
  /** The runner working on it, and until when its claim holds (epoch ms). */
  runner?: string;
  leaseUntil?: number;
  createdAt: string;
  updatedAt: string;
}

/** Another job with the same `exclusive` key is still queued or running. */
export class JobAlreadyActive extends Error {
  override readonly name = 'JobAlreadyActive';
  constructor(
    readonly exclusive: string,
    readonly jobId: string,
  ) {
    super(`job ${jobId} (${exclusive}) is still queued or running`);
  }
}

/** A claim on an `exclusive` key (`job_locks`): `_id` is the key, the one index FerretDB keeps unique without a race. */
interface JobLock {
  _id: string;
  job: string;
  /** Epoch ms when it was taken. */
  at: number;
}

/** A lock whose job is not there after this long was left by a process that died between the two inserts. */
const lockWithoutJobStaleMs = 60_000;

/**
 * Jobs in MongoDB (`jobs`). Replay jobs of earlier versions live in `replay_jobs` and are still found by id
 * (`find`), read as jobs of kind `replay`; nothing claims them again (their undone letters are still `dead`).
 */
export class Jobs {
  readonly jobs: Collection<JobDoc>;
  private readonly earlier: Collection<ReplayJobDoc>;
  private readonly locks: Collection<JobLock>;

  private readonly indexes: SecondaryIndexes;

  constructor(db: Db) {
    this.indexes = new SecondaryIndexes(db);
    this.jobs = db.collection<JobDoc>('jobs');
    this.earlier = db.collection<ReplayJobDoc>('replay_jobs');
    this.locks = db.collection<JobLock>('job_locks');
  }

  /** Claims look for the oldest queued (or lease-expired) job. */
  async ensureIndexes(): Promise<void> {
    await this.indexes.ensure(this.jobs, { state: 1, createdAt: 1 });
  }

  /** Queues a job; `JobAlreadyActive` when it is `exclusive` and another job of its key is queued or running. */
  async insert(job: JobDoc): Promise<void> {
    if (job.exclusive) await this.lock(job.exclusive, job._id);
    await this.jobs.insertOne(job);
  }

  /**
   * Takes the key with an insert by `_id` (two concurrent inserts: one fails on the key). A lock whose job is
   * over, or was never written (its process died in between), is stale and taken over.
   */
  private async lock(exclusive: string, jobId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.locks.insertOne({ _id: exclusive, job: jobId, at: Date.now() });
        return;
      } catch (error) {
        if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
      }
      const held = await this.locks.findOne({ _id: exclusive });
      if (!held) continue;
      const holder = await this.jobs.findOne({ _id: held.job });
      const active = holder ? holder.state === 'queued' || holder.state === 'running' : Date.now() - held.at < lockWithoutJobStaleMs;
      if (active) throw new JobAlreadyActive(exclusive, held.job);
      await this.locks.deleteOne({ _id: exclusive, job: held.job });
    }
    throw new JobAlreadyActive(exclusive, 'unknown');
  }

  /** Takes the oldest queued job, or a running one whose lease ran out, for `runner` until `leaseUntil`. */
  async claim(runner: string, now: number, leaseUntil: number): Promise<JobDoc | null> {
    return this.jobs.findOneAndUpdate(
      { $or: [{ state: 'queued' }, { state: 'running', leaseUntil: { $lt: now } }] },
      { $set: { state: 'running', runner, leaseUntil, updatedAt: new Date(now).toISOString() } },
      { sort: { createdAt: 1 }, returnDocument: 'after' },
    );
  }

  /** Records progress and extends the lease; false when the job is no longer this runner's. */
  async progress(id: string, runner: string, done: number, leaseUntil: number): Promise<boolean> {
    const result = await this.jobs.updateOne(
      { _id: id, runner, state: 'running' },
      { $set: { done, leaseUntil, updatedAt: new Date().toISOString() } },
    );
    return result.matchedCount === 1;
  }

  /** Extends the lease of a job this runner works on (progress unchanged); false when it is no longer this runner's. */
  async renew(id: string, runner: string, leaseUntil: number): Promise<boolean> {
    const result = await this.jobs.updateOne({ _id: id, runner, state: 'running' }, { $set: { leaseUntil } });
    return result.matchedCount === 1;
  }

  async finish(id: string, runner: string, outcome: { state: 'done'; done: number } | { state: 'failed'; error: string }): Promise<void> {
    const result = await this.jobs.updateOne(
      { _id: id, runner },
      { $set: { ...outcome, updatedAt: new Date().toISOString() }, $unset: { leaseUntil: '' } },
    );
    if (result.matchedCount === 1) await this.locks.deleteMany({ job: id });
  }

  /** Hands a job back to the queue (its runner is stopping), to be resumed by the next runner. */
  async release(id: string, runner: string): Promise<void> {
    await this.jobs.updateOne(
      { _id: id, runner, state: 'running' },
      { $set: { state: 'queued', updatedAt: new Date().toISOString() }, $unset: { leaseUntil: '', runner: '' } },
    );
  }

  /** A tenant's job by id, also one an earlier version wrote to `replay_jobs`. */
  async find(id: string, tenantId: string): Promise<JobDoc | null> {
    const job = await this.jobs.findOne({ _id: id, tenantId });
    if (job) return job;
    const earlier = await this.earlier.findOne({ _id: id, tenantId });
    return earlier ? jobOfEarlierReplay(earlier) : null;
  }
}

/** A replay job as an earlier version wrote it (`replay_jobs`), read as a job. */
export function jobOfEarlierReplay(earlier: ReplayJobDoc): JobDoc {
  return { ...earlier, kind: 'replay', params: {} };
}
