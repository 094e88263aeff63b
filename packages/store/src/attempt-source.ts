import type { AttemptRecord } from '@hookline/core';

/**
 * Where attempt records came from on the `attempts` topic. The stats and the chart buckets keep one document per
 * partition that remembers the highest offset folded into it, so both read these positions.
 */

/** Where a batch of attempt records sits on the `attempts` topic: its partition and each record's offset. */
export interface AttemptSource {
  partition: number;
  offsets: string[];
}

/** An attempt with the topic position of the record it came from (`partition:offset`), stored with the attempt. */
export type SourcedAttempt = AttemptRecord & { projectedFrom?: string };

/** Tags each attempt of a batch with its record's position. */
export function tagWithSource(attempts: AttemptRecord[], source: AttemptSource): SourcedAttempt[] {
  return attempts.map((a, i) => ({ ...a, projectedFrom: `${source.partition}:${source.offsets[i]}` }));
}

/** The topic position `tagWithSource` gave an attempt, if any. */
export function sourcePosition(a: SourcedAttempt): { partition: string; offset: number } | undefined {
  if (!a.projectedFrom) return undefined;
  const [partition, offset] = a.projectedFrom.split(':');
  return { partition: partition!, offset: Number(offset) };
}
