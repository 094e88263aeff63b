import { type EndpointRecord, endpointWants, eventEnvelope } from '@hookline/core';
import { planTask, taskRecord } from '@hookline/delivery-policy';
import { z } from 'zod';
import type { PartitionRange, RecordPublisher, TimeRangeReader } from '../ports.js';
import { type JobKind, jobKind } from './kind.js';

/** Offsets as decimal strings: the job's parameters are stored as JSON. */
const recoverParams = z.object({
  ranges: z.array(z.object({ partition: z.number().int(), start: z.string(), end: z.string() })),
});
export type RecoverParams = z.infer<typeof recoverParams>;

export interface RecoverDeps {
  log: TimeRangeReader;
  publisher: Pick<RecordPublisher, 'publish'>;
  eventsTopic: string;
  deliveriesTopic: string;
  /** The endpoint as it is now (its subscriptions decide which events it gets), or undefined once deleted. */
  endpoint(id: string): EndpointRecord | undefined;
  now?: () => number;
}

/** The ranges of `events` a recover of `[sinceMs, untilMs)` reads, and how many records they hold. */
export async function planRecover(
  log: TimeRangeReader,
  eventsTopic: string,
  sinceMs: number,
  untilMs: number | undefined,
): Promise<{ params: RecoverParams; total: number }> {
  const ranges = await log.offsetsForTime(eventsTopic, sinceMs, untilMs);
  const total = ranges.reduce((n, r) => n + Number(r.end > r.start ? r.end - r.start : 0n), 0);
  return { params: { ranges: ranges.map((r) => ({ partition: r.partition, start: r.start.toString(), end: r.end.toString() })) }, total };
}

function parse(value: Buffer | null): unknown {
  try {
    return JSON.parse(value?.toString() ?? 'null');
  } catch {
    return null;
  }
}

/**
 * Recover (Svix-style): every event of the ranges that the endpoint subscribes to by its current settings is
 * sent again as a first attempt. Delivery ids are the same as the first time, so receivers deduplicate on
 * `webhook-id`, which also makes a resumed run (from the start of its ranges) safe. Progress is records scanned.
 */
export function recoverJob(deps: RecoverDeps): JobKind<RecoverParams> {
  const now = deps.now ?? Date.now;
  return jobKind({
    name: 'recover',
    params: recoverParams,
    async run(job, { progress }) {
      const ranges: PartitionRange[] = job.params.ranges.map((r) => ({
        partition: r.partition,
        start: BigInt(r.start),
        end: BigInt(r.end),
      }));
      let scanned = 0;
      await deps.log.readRanges(
        deps.eventsTopic,
        ranges.filter((r) => r.start < r.end),
        async (records) => {
          const endpoint = deps.endpoint(job.endpointId);
          const tasks = [];
          for (const record of records) {
            scanned++;
            const parsed = eventEnvelope.safeParse(parse(record.value));
            if (!endpoint || !parsed.success || parsed.data.tenantId !== endpoint.tenantId || !endpointWants(endpoint, parsed.data))
              continue;
            tasks.push(taskRecord(planTask({ kind: 'first', event: parsed.data, endpoint, now: now() })));
          }
          if (tasks.length) await deps.publisher.publish([{ topic: deps.deliveriesTopic, records: tasks }]);
          await progress(scanned);
        },
      );
    },
  });
}
