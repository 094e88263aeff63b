import type { Collection, Db } from 'mongodb';
import type { EndpointStatsDoc, PartitionStatsDoc } from './attempt-docs.js';
import { type SourcedAttempt, sourcePosition } from './attempt-source.js';
import { latencyBucketOf } from './latency.js';
import { partitionSuffix } from './owned-write.js';
import { SecondaryIndexes } from './secondary-indexes.js';
import { WriteBehind } from './write-behind.js';

type StoredStatsDoc = EndpointStatsDoc | PartitionStatsDoc;

const isShare = (doc: StoredStatsDoc): doc is PartitionStatsDoc => 'through' in doc && typeof doc.through === 'number';
const endpointOf = (doc: StoredStatsDoc) => (isShare(doc) ? doc.endpointId : doc._id);

/**
 * Per-endpoint delivery stats, one document per endpoint and `attempts` partition (see `PartitionStatsDoc`),
 * summed on read. Documents of the first shape (`_id` = endpoint id, `$inc`-updated by every projector) are
 * still read and summed in, never written again: a share created for an endpoint starts where that document's
 * fold of the partition ended (`foldedOffsets`) and takes over its consecutive-failure count.
 */
export class EndpointStats {
  readonly collection: Collection<StoredStatsDoc>;
  /** The owner's folds of its partitions' shares until they are flushed (`Store.flushFolds`). */
  readonly folds: WriteBehind<PartitionStatsDoc>;

  private readonly indexes: SecondaryIndexes;

  constructor(db: Db) {
    this.collection = db.collection<StoredStatsDoc>('endpoint_stats');
    this.folds = new WriteBehind(this.collection as Collection<PartitionStatsDoc>);
    this.indexes = new SecondaryIndexes(db);
  }

  async ensureIndexes(): Promise<void> {
    await this.indexes.ensure(this.collection, { tenantId: 1 });
  }

  /**
   * Folds attempts of one partition (in offset order, each tagged with its record's position) into their
   * endpoints' shares, staged in `folds` (a share staged earlier is the base). Returns the shares that moved, by
   * endpoint id (an attempt already folded moves none), and how many attempts each folded.
   */
  async fold(
    attempts: SourcedAttempt[],
    partition: number,
  ): Promise<{ shares: Map<string, PartitionStatsDoc>; gained: Map<string, number> }> {
    const byEndpoint = new Map<string, SourcedAttempt[]>();
    for (const a of attempts) byEndpoint.set(a.endpointId, [...(byEndpoint.get(a.endpointId) ?? []), a]);
    const moved = new Map<string, PartitionStatsDoc>();
    if (byEndpoint.size === 0) return { shares: moved, gained: new Map() };
    const shareId = (endpointId: string) => endpointId + partitionSuffix(partition);
    const ids = [...byEndpoint.keys()].flatMap((e) => [e, shareId(e)]);
    const stored: Map<string, StoredStatsDoc> = await this.folds.read(ids);
    const gained = new Map<string, number>();
    for (const [endpointId, list] of byEndpoint) {
      const share = stored.get(shareId(endpointId));
      const base =
        share && isShare(share) ? share : startShare(endpointId, partition, stored.get(endpointId) as EndpointStatsDoc | undefined);
      const next = foldInto(base, list);
      if (!next) continue;
      moved.set(endpointId, next);
      gained.set(endpointId, next.attempts - base.attempts);
    }
    this.folds.stage([...moved.values()]);
    return { shares: moved, gained };
  }

  /** One endpoint's stats (its shares summed); null before its first attempt. */
  async endpoint(endpointId: string): Promise<EndpointStatsDoc | null> {
    const docs = await this.collection.find({ _id: { $gte: endpointId, $lte: `${endpointId}|\uffff` } }).toArray();
    return mergeEndpointStats(docs.filter((d) => endpointOf(d) === endpointId))[0] ?? null;
  }

  /** The stats of every endpoint of a tenant that has had attempts. */
  async tenant(tenantId: string): Promise<EndpointStatsDoc[]> {
    return mergeEndpointStats(await this.collection.find({ tenantId }).toArray());
  }
}

/** A new share, continuing where a first-shape document of the endpoint left the partition. */
function startShare(endpointId: string, partition: number, legacy: EndpointStatsDoc | undefined): PartitionStatsDoc {
  return {
    _id: endpointId + partitionSuffix(partition),
    endpointId,
    partition,
    through: legacy?.foldedOffsets?.[`p${partition}`] ?? -1,
    tenantId: legacy?.tenantId ?? '',
    attempts: 0,
    succeeded: 0,
    failed: 0,
    totalLatencyMs: 0,
    maxLatencyMs: 0,
    lastAttemptAt: '',
    lastStatus: 'success',
    lastStatusCode: null,
    lastError: null,
    consecutiveFailures: legacy?.consecutiveFailures ?? 0,
    latencyBuckets: {},
  };
}

/** The share after the attempts above its `through`; undefined when there are none. */
function foldInto(base: PartitionStatsDoc, attempts: SourcedAttempt[]): PartitionStatsDoc | undefined {
  const fresh = attempts.filter((a) => sourcePosition(a)!.offset > base.through);
  if (fresh.length === 0) return undefined;
  const next: PartitionStatsDoc = { ...base, latencyBuckets: { ...base.latencyBuckets } };
  for (const a of fresh) {
    const ok = a.outcome === 'success';
    const bucket = latencyBucketOf(a.durationMs);
    next.tenantId = a.tenantId;
    next.attempts++;
    next.succeeded += ok ? 1 : 0;
    next.failed += ok ? 0 : 1;
    next.totalLatencyMs += a.durationMs;
    next.maxLatencyMs = Math.max(next.maxLatencyMs, a.durationMs);
    next.latencyBuckets![bucket] = (next.latencyBuckets![bucket] ?? 0) + 1;
    next.lastAttemptAt = a.startedAt;
    next.lastStatus = a.outcome;
    next.lastStatusCode = a.statusCode ?? null;
    next.lastError = a.errorMessage ?? null;
    next.consecutiveFailures = ok ? 0 : next.consecutiveFailures + 1;
    next.through = sourcePosition(a)!.offset;
  }
  return next;
}

/** Stored documents (shares and first-shape ones, any endpoints) summed into one stats document per endpoint. */
export function mergeEndpointStats(docs: StoredStatsDoc[]): EndpointStatsDoc[] {
  const merged = new Map<string, EndpointStatsDoc>();
  for (const doc of docs) {
    const endpointId = endpointOf(doc);
    const sum = merged.get(endpointId);
    if (!sum) {
      const { foldedOffsets: _f, ...rest } = doc as EndpointStatsDoc;
      const { endpointId: _e, partition: _p, through: _t, ...counters } = rest as PartitionStatsDoc;
      merged.set(endpointId, { ...counters, _id: endpointId, latencyBuckets: { ...doc.latencyBuckets } });
      continue;
    }
    sum.attempts += doc.attempts;
    sum.succeeded += doc.succeeded;
    sum.failed += doc.failed;
    sum.totalLatencyMs += doc.totalLatencyMs;
    sum.maxLatencyMs = Math.max(sum.maxLatencyMs, doc.maxLatencyMs);
    for (const [bound, n] of Object.entries(doc.latencyBuckets ?? {})) sum.latencyBuckets![bound] = (sum.latencyBuckets![bound] ?? 0) + n;
    // The newest attempt says how the endpoint stands (a share carries its consecutive failures on from older ones).
    if (doc.lastAttemptAt > sum.lastAttemptAt) {
      Object.assign(sum, {
        tenantId: doc.tenantId,
        lastAttemptAt: doc.lastAttemptAt,
        lastStatus: doc.lastStatus,
        lastStatusCode: doc.lastStatusCode,
        lastError: doc.lastError,
        consecutiveFailures: doc.consecutiveFailures,
      });
    }
  }
  return [...merged.values()];
}
