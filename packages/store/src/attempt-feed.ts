import type { Collection, Filter } from 'mongodb';
import type { AttemptDoc } from './attempt-docs.js';
import { type StoredAttemptDoc, unpackAttempt } from './attempt-packing.js';

/**
 * A place in a tenant's attempt feed: attempts are ordered by when the projector recorded them (`recordedAt`,
 * one value per projected batch), then by id. A position is what a follower (`hookline tail`) keeps between polls.
 */
export interface FeedPosition {
  recordedAt: string;
  attemptId: string;
}

export interface AttemptFeedQuery {
  tenantId: string;
  endpointId?: string;
  /** Attempts after this position, oldest first; without it, the newest `limit` attempts (still oldest first). */
  after?: FeedPosition;
  limit: number;
  /**
   * Only attempts recorded at or before this time: a batch still being inserted must not be half-read, or a
   * follower's position would move past the rest of it (see `Store.recordAttempts`, which inserts in id order).
   */
  settledBefore: string;
}

/** The page of the feed a query asks for, in feed order. */
export async function attemptFeed(
  attempts: Collection<StoredAttemptDoc>,
  { tenantId, endpointId, after, limit, settledBefore }: AttemptFeedQuery,
): Promise<AttemptDoc[]> {
  const scope: Filter<StoredAttemptDoc> = { tenantId, ...(endpointId ? { endpointId } : {}) };
  if (!after) {
    const newest = await attempts
      .find({ ...scope, recordedAt: { $lte: settledBefore } })
      .sort({ recordedAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
    return newest.reverse().map(unpackAttempt);
  }
  // (recordedAt, _id) > (after.recordedAt, after.attemptId), written with operators FerretDB supports.
  const page = await attempts
    .find({
      ...scope,
      recordedAt: { $gte: after.recordedAt, $lte: settledBefore },
      $or: [{ recordedAt: { $gt: after.recordedAt } }, { _id: { $gt: after.attemptId } }],
    })
    .sort({ recordedAt: 1, _id: 1 })
    .limit(limit)
    .toArray();
  return page.map(unpackAttempt);
}

/** Where a follower continues after reading `page` from `after` (unchanged for an empty page). */
export function nextFeedPosition(page: AttemptDoc[], after: FeedPosition | undefined, settledBefore: string): FeedPosition {
  const last = page.at(-1);
  if (last?.recordedAt) return { recordedAt: last.recordedAt, attemptId: last._id };
  // Nothing yet: start at the settled edge so that everything recorded later is new to the follower.
  return after ?? { recordedAt: settledBefore, attemptId: '' };
}
