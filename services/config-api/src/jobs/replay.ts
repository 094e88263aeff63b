import { planTask, taskRecord } from '@hookline/delivery-policy';
import type { DeadLetterDoc, DeadLetterFilter } from '@hookline/store';
import { z } from 'zod';
import type { RecordPublisher } from '../ports.js';
import { type JobKind, jobKind } from './kind.js';

const replayParams = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
});
export type ReplayParams = z.infer<typeof replayParams>;

/** What replay needs of the dead letters (`DeadLetters` of `@hookline/store`). */
interface ReplayLetters {
  find(endpointId: string, filter: DeadLetterFilter, limit: number): { toArray(): Promise<DeadLetterDoc[]> };
  markReplayed(deliveryIds: string[], by: { job: string; batch: number }): Promise<void>;
  replayBatch(job: string, batch: number): Promise<DeadLetterDoc[]>;
}

export interface ReplayDeps {
  letters: ReplayLetters;
  publisher: Pick<RecordPublisher, 'publish'>;
  deliveriesTopic: string;
  batchSize?: number;
  now?: () => number;
}

/** Dead letters as the next attempt of their deliveries, due now. */
export function resendLetters(
  { publisher, deliveriesTopic, now = Date.now }: Pick<ReplayDeps, 'publisher' | 'deliveriesTopic' | 'now'>,
  letters: DeadLetterDoc[],
): Promise<void> {
  if (letters.length === 0) return Promise.resolve();
  return publisher.publish([
    { topic: deliveriesTopic, records: letters.map((letter) => taskRecord(planTask({ kind: 'again', task: letter.task, now: now() }))) },
  ]);
}

/** The earlier of two ISO times (either may be absent). */
function earliest(a: string | undefined, b: string): string {
  return a !== undefined && Date.parse(a) < Date.parse(b) ? a : b;
}

/**
 * Replay: the endpoint's dead letters that were `dead` when the job was created (optionally of a time range) go
 * back to `deliveries`, a batch at a time. The set is fixed by that time: a letter dead-lettered later (one of
 * the job's own resends failing again) is not picked up by this job, and stays `dead` and visible. Each batch is
 * marked `replayed` (with the job and batch) before it is sent, so a fresh failure, which replaces the marked
 * document, is never marked. A resumed job sends its last marked batch again (receivers deduplicate on
 * `webhook-id`), then goes on with the letters still dead.
 */
export function replayJob(deps: ReplayDeps): JobKind<ReplayParams> {
  const batchSize = deps.batchSize ?? 200;
  return jobKind({
    name: 'replay',
    params: replayParams,
    async run(job, { progress }) {
      const filter: DeadLetterFilter = {
        state: 'dead',
        ...(job.params.from === undefined ? {} : { from: job.params.from }),
        to: earliest(job.params.to, job.createdAt),
      };
      let done = job.done;
      // Batches are named by the progress they start at: after a crash, `done` names the one that may be unsent.
      const unsent = await deps.letters.replayBatch(job._id, done);
      if (unsent.length > 0) {
        await resendLetters(deps, unsent);
        done += unsent.length;
        await progress(done);
      }
      for (;;) {
        const letters = await deps.letters.find(job.endpointId, filter, batchSize).toArray();
        if (letters.length === 0) return;
        await deps.letters.markReplayed(
          letters.map((l) => l._id),
          { job: job._id, batch: done },
        );
        // Only what this job marked (a concurrent retry may have taken a letter meanwhile).
        const marked = await deps.letters.replayBatch(job._id, done);
        await resendLetters(deps, marked);
        done += marked.length;
        await progress(done);
      }
    },
  });
}
