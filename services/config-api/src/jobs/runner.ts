import { randomUUID } from 'node:crypto';
import { newId } from '@hookline/core';
import type { Logger } from 'pino';
import type { JobDoc, JobStore } from './job-store.js';
import { JobInterrupted, type JobKind, UnknownJobKind } from './kind.js';

export interface JobRunnerOptions {
  store: JobStore;
  kinds: JobKind<unknown>[];
  logger: Logger;
  /**
   * How often an idle runner looks for queued jobs (default 10 s). Enqueueing here wakes it at once, so the poll
   * only finds jobs queued by another instance that is busy, or whose runner died (after their lease): a
   * query every 10 s instead of every 2 s for an idle service.
   */
  pollMs?: number;
  /** How long a claim holds without progress; a job whose lease ran out is resumed by another runner. */
  leaseMs?: number;
  /** Jobs run at the same time by this runner. */
  concurrency?: number;
  /** Clock (epoch ms); fake timers replace it in tests. */
  now?: () => number;
}

export interface NewJob<Params> {
  tenantId: string;
  endpointId: string;
  /** The job's size in its own units (dead letters, records), for progress. */
  total: number;
  params: Params;
  /** Id prefix (`rpl`, `rcv`): the id says what kind of job it is. */
  idPrefix: string;
  /** At most one queued or running job per key; enqueueing another throws `JobAlreadyActive`. */
  exclusive?: string;
}

/**
 * Runs the admin API's background jobs out of request handlers: handlers `enqueue` and answer; the runner claims
 * queued jobs (and ones whose runner died), runs each with its failures caught and recorded on the job, and on
 * `stop` hands unfinished ones back to the queue.
 */
export class JobRunner {
  private readonly id = `runner-${randomUUID()}`;
  private readonly kinds: Map<string, JobKind<unknown>>;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly active = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    this.kinds = new Map(options.kinds.map((kind) => [kind.name, kind]));
    this.pollMs = options.pollMs ?? 10_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.concurrency = options.concurrency ?? 2;
    this.now = options.now ?? Date.now;
  }

  /** Queues a job of `kind` and wakes the runner. */
  async enqueue<Params>(kind: JobKind<Params>, job: NewJob<Params>): Promise<JobDoc<Params>> {
    if (this.kinds.get(kind.name) !== (kind as JobKind<unknown>))
      throw new UnknownJobKind(`job kind ${kind.name} is not registered with this runner`);
    const at = new Date(this.now()).toISOString();
    const doc: JobDoc<Params> = {
      _id: newId(job.idPrefix),
      kind: kind.name,
      tenantId: job.tenantId,
      endpointId: job.endpointId,
      state: 'queued',
      total: job.total,
      done: 0,
      params: job.params,
      ...(job.exclusive === undefined ? {} : { exclusive: job.exclusive }),
      createdAt: at,
      updatedAt: at,
    };
    await this.options.store.insert(doc);
    this.wake?.();
    return doc;
  }

  start(): void {
    this.loop ??= this.claimLoop();
  }

  /** Stops claiming, interrupts running jobs (they go back to the queue) and waits for them. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await Promise.all(this.active.values());
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let job: JobDoc | null = null;
      if (this.active.size < this.concurrency) {
        try {
          job = await this.options.store.claim(this.id, this.now(), this.now() + this.leaseMs);
        } catch (error) {
          this.options.logger.error({ err: error }, 'could not claim a job');
        }
      }
      if (job) {
        const id = job._id;
        this.active.set(
          id,
          this.execute(job).finally(() => {
            this.active.delete(id);
            this.wake?.();
          }),
        );
        continue;
      }
      await this.idle();
    }
  }

  /** Until `pollMs` passes or something wakes the runner (a new job, a finished one, stop). */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      const wake = () => done();
      this.wake = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private async execute(job: JobDoc): Promise<void> {
    const { store, logger } = this.options;
    const log = logger.child({ jobId: job._id, kind: job.kind });
    // The lease is renewed while the job works, also between progress reports.
    const renew = setInterval(
      () => {
        store
          .renew(job._id, this.id, this.now() + this.leaseMs)
          .catch((error: unknown) => log.warn({ err: error }, 'could not renew the lease'));
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    try {
      const kind = this.kinds.get(job.kind);
      if (!kind) throw new UnknownJobKind(`no job kind ${job.kind}`);
      const params = kind.params.parse(job.params);
      let done = job.done;
      await kind.run(
        { ...job, params },
        {
          signal: this.stopping.signal,
          progress: async (count) => {
            if (this.stopping.signal.aborted) throw new JobInterrupted();
            done = count;
            await store.progress(job._id, this.id, count, this.now() + this.leaseMs);
          },
        },
      );
      await store.finish(job._id, this.id, { state: 'done', done });
      log.info('job done');
    } catch (error) {
      await this.settleFailure(job, error, log);
    } finally {
      clearInterval(renew);
    }
  }

  private async settleFailure(job: JobDoc, error: unknown, log: Logger): Promise<void> {
    try {
      if (error instanceof JobInterrupted || this.stopping.signal.aborted) {
        await this.options.store.release(job._id, this.id);
        log.info('job handed back to the queue');
      } else {
        log.error({ err: error }, 'job failed');
        await this.options.store.finish(job._id, this.id, { state: 'failed', error: (error as Error).message ?? String(error) });
      }
    } catch (storeError) {
      // The job stays `running` with its lease; once the lease runs out another runner takes it up again.
      log.error({ err: storeError }, 'could not record the outcome of a job');
    }
  }
}
