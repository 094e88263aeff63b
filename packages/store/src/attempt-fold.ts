import type { AttemptRecord } from '@hookline/core';
import type { Collection } from 'mongodb';
import type { AttemptDoc, EndpointStatsDoc } from './attempt-docs.js';
import { type AttemptSource, foldedOffsetMarks, type SourcedAttempt, sourcePosition, tagWithSource } from './attempt-source.js';

export type { AttemptSource, SourcedAttempt } from './attempt-source.js';

/**
 * Folds each attempt record into its endpoint's stats exactly once, also when the projector dies between
 * storing a batch's attempts and updating the stats (or MongoDB fails in between) and the batch comes again.
 *
 * Skipping attempts whose id is already stored is not enough on its own: after such a crash the replayed
 * attempts are all "already stored" and would never be counted. So (1) each stored attempt remembers the
 * record it came from (`projectedFrom`: partition and offset), and an already stored attempt from the very
 * same record is still a candidate; and (2) each endpoint's stats remember the highest offset folded into
 * them per partition (`foldedOffsets`, raised in the same update as the counters), and only records above it
 * are folded. An endpoint's attempts share one partition (keyed by endpoint) and arrive in offset order.
 * The same attempt id on a new record (a delivery redone after a crash) still counts once, like in the log.
 * Plain finds by `_id` and `$max` only: FerretDB-safe.
 */
export class AttemptFold {
  constructor(
    private readonly attempts: Collection<AttemptDoc>,
    private readonly stats: Collection<EndpointStatsDoc>,
  ) {}

  static tag(attempts: AttemptRecord[], source: AttemptSource): SourcedAttempt[] {
    return tagWithSource(attempts, source);
  }

  /** Of `inserted` (new) and `duplicates` (ids already stored), the attempts still to be folded into stats. */
  async toFold(inserted: SourcedAttempt[], duplicates: SourcedAttempt[], source: AttemptSource): Promise<SourcedAttempt[]> {
    let candidates = inserted;
    if (duplicates.length) {
      const stored = await this.attempts
        .find({ _id: { $in: duplicates.map((a) => a.attemptId) } }, { projection: { projectedFrom: 1 } })
        .toArray();
      const from = new Map(stored.map((d) => [d._id, (d as SourcedAttempt).projectedFrom]));
      const own = new Set(duplicates.filter((a) => from.get(a.attemptId) === a.projectedFrom).map((a) => a.attemptId));
      candidates = [...inserted, ...duplicates.filter((a) => own.has(a.attemptId))];
    }
    if (candidates.length === 0) return [];
    const endpointIds = [...new Set(candidates.map((a) => a.endpointId))];
    const docs = await this.stats.find({ _id: { $in: endpointIds } }, { projection: { foldedOffsets: 1 } }).toArray();
    const foldedThrough = new Map(docs.map((d) => [d._id, d.foldedOffsets?.[`p${source.partition}`] ?? -1]));
    const offsetOf = (a: SourcedAttempt) => sourcePosition(a)!.offset;
    // Back in topic order: the stats' "last attempt" and consecutive-failure counter depend on it.
    return candidates.filter((a) => offsetOf(a) > (foldedThrough.get(a.endpointId) ?? -1)).sort((a, b) => offsetOf(a) - offsetOf(b));
  }

  /** The `$max` that records, with an endpoint's counters, how far its stats have folded the partition. */
  static mark(attempts: SourcedAttempt[]): Record<string, number> {
    return foldedOffsetMarks(attempts);
  }
}
