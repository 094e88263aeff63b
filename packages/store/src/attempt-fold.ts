import type { AttemptRecord } from '@hookline/core';
import type { Collection } from 'mongodb';
import type { StoredAttemptDoc } from './attempt-packing.js';
import { type AttemptSource, type SourcedAttempt, sourcePosition, tagWithSource } from './attempt-source.js';

export type { AttemptSource, SourcedAttempt } from './attempt-source.js';

/**
 * Picks the attempts of a batch that the counters may fold, also when the projector died between storing a
 * batch's attempts and updating the counters (or MongoDB failed in between) and the batch comes again.
 *
 * Skipping attempts whose id is already stored is not enough on its own: after such a crash the replayed
 * attempts are all "already stored" and would never be counted. So each stored attempt remembers the record it
 * came from (`projectedFrom`: partition and offset), and an already stored attempt from the very same record is
 * still a candidate; the counters' documents then skip what they have folded (their `through` offset). The same
 * attempt id on a new record (a delivery redone after a crash) still counts once, like in the log.
 * Plain finds by `_id`: FerretDB-safe.
 */
export class AttemptFold {
  constructor(private readonly attempts: Collection<StoredAttemptDoc>) {}

  static tag(attempts: AttemptRecord[], source: AttemptSource): SourcedAttempt[] {
    return tagWithSource(attempts, source);
  }

  /** Of `inserted` (new) and `duplicates` (ids already stored), the candidates to fold, in topic order. */
  async toFold(inserted: SourcedAttempt[], duplicates: SourcedAttempt[]): Promise<SourcedAttempt[]> {
    let candidates = inserted;
    if (duplicates.length) {
      const stored = await this.attempts
        .find({ _id: { $in: duplicates.map((a) => a.attemptId) } }, { projection: { projectedFrom: 1 } })
        .toArray();
      const from = new Map(stored.map((d) => [d._id, (d as SourcedAttempt).projectedFrom]));
      // An attempt whose stored copy has expired (retention) is a candidate too; `through` decides.
      const own = new Set(duplicates.filter((a) => (from.get(a.attemptId) ?? a.projectedFrom) === a.projectedFrom).map((a) => a.attemptId));
      candidates = [...inserted, ...duplicates.filter((a) => own.has(a.attemptId))];
    }
    const offsetOf = (a: SourcedAttempt) => sourcePosition(a)!.offset;
    // Back in topic order: the stats' "last attempt" and consecutive-failure counter depend on it.
    return candidates.sort((a, b) => offsetOf(a) - offsetOf(b));
  }
}
