import type { z } from 'zod';
import type { JobDoc } from './job-store.js';

/** What a running job may do besides its work. */
interface JobContext {
  /** Records how far it got (and keeps its claim); throws `JobInterrupted` once the runner is stopping. */
  progress(done: number): Promise<void>;
  /** Aborted when the runner stops: leave between two units of work (the job is resumed later). */
  signal: AbortSignal;
}

/**
 * A kind of job: its parameters (stored with the job, so a job queued by one process runs in another) and
 * what running it does. Running may start over after a crash: a kind's work must be safe to repeat.
 */
export interface JobKind<Params = unknown> {
  name: string;
  params: z.ZodType<Params>;
  run(job: JobDoc<Params>, context: JobContext): Promise<void>;
}

/** The runner is stopping; the job goes back to the queue unfinished. */
export class JobInterrupted extends Error {
  override readonly name = 'JobInterrupted';
  constructor() {
    super('the job runner is stopping');
  }
}

/** A kind the runner does not know (a job written by a newer version, say). */
export class UnknownJobKind extends Error {
  override readonly name = 'UnknownJobKind';
}

/** Declares a job kind with its parameter types checked. */
export function jobKind<Params>(kind: JobKind<Params>): JobKind<Params> {
  return kind;
}
