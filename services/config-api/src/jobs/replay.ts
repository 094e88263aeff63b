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
  markReplayed(deliveryIds: string[]): Promise<void>;
}

export interface ReplayDeps {
  letters: ReplayLetters;
  publisher: Pick<RecordPublisher, 'publish'>;
  deliveriesTopic: string;
  batchSize?: number;
  now?: () => number;
}

/** Dead letters as the next attempt of their deliveries, due now. */
export function resendLetters({ publisher, deliveriesTopic, now = Date.now }: ReplayDeps, letters: DeadLetterDoc[]): Promise<void> {
  return publisher.publish([
    { topic: deliveriesTopic, records: letters.map((letter) => taskRecord(planTask({ kind: 'again', task: letter.task, now: now() }))) },
  ]);
}

/**
 * Replay: the endpoint's dead letters still `dead` (optionally of a time range) go back to `deliveries`, a batch
 * at a time, each batch marked `replayed` once sent. Resumable: a new run finds only the letters not yet sent.
 */
export function replayJob(deps: ReplayDeps): JobKind<ReplayParams> {
  const batchSize = deps.batchSize ?? 200;
  return jobKind({
    name: 'replay',
    params: replayParams,
    async run(job, { progress }) {
      const filter: DeadLetterFilter = { state: 'dead', ...job.params };
      let done = job.done;
      for (;;) {
        const letters = await deps.letters.find(job.endpointId, filter, batchSize).toArray();
        if (letters.length === 0) return;
        await resendLetters(deps, letters);
        await deps.letters.markReplayed(letters.map((l) => l._id));
        done += letters.length;
        await progress(done);
      }
    },
  });
}
