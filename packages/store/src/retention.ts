import { type Collection, type Db, type Document, type Filter, MongoServerError } from 'mongodb';
import { DeadLetters } from './dead-letters.js';
import { SecondaryIndexes } from './secondary-indexes.js';
import { timeseriesWindows } from './timeseries.js';

/**
 * The kinds of documents that expire. FerretDB v1 ignores TTL indexes, so the projector's sweeper deletes them:
 * each kind says where it lives and which of its fields says how old a document is.
 */
export const expiringKinds = [
  'attempts',
  'replayed_dead_letters',
  'incoming_calls',
  'idempotency_keys',
  'minute_buckets',
  'hour_buckets',
  'circuit_transitions',
] as const;
export type ExpiringKind = (typeof expiringKinds)[number];

/** IndexOptionsConflict, IndexKeySpecsConflict. */
const indexConflictCodes = new Set([85, 86]);

interface KindSpec {
  collection: string;
  olderThan(cutoff: Date): Filter<Document>;
  /**
   * Documents are inserted once, about in the order of their age field: the sweep looks only at the oldest
   * inserted ones (a plain `find().limit()`, which FerretDB 1 answers with `LIMIT`) instead of filtering on the
   * age field, which FerretDB 1 does by scanning and decoding the whole collection (the attempt log: ~2 KB an
   * attempt, a million attempts after a busy day) on every sweep. A document inserted late with an old age
   * (a projector working off a backlog) goes when the ones inserted before it have gone.
   */
  insertedByAge?: boolean;
}

const iso = (cutoff: Date) => cutoff.toISOString();
const specs: Record<ExpiringKind, KindSpec> = {
  // By when the attempt started (every stored attempt has it; `recordedAt` is missing on old rows).
  attempts: { collection: 'attempts', olderThan: (c) => ({ startedAt: { $lt: iso(c) } }), insertedByAge: true },
  // Only letters that were sent again: a dead one waits for its replay however old. A replayed letter that
  // fails again comes back as a new dead letter (the projector writes it as `dead`), so none is hidden. This
  // filter finds letters of the first shape (marked in place); marked ones are found through their marks
  // (`DeadLetters.deleteReplayedBefore`).
  replayed_dead_letters: { collection: 'dead_letters', olderThan: (c) => ({ state: 'replayed', deadLetteredAt: { $lt: iso(c) } }) },
  incoming_calls: { collection: 'incoming_calls', olderThan: (c) => ({ at: { $lt: iso(c) } }) },
  idempotency_keys: { collection: 'idempotency_keys', olderThan: (c) => ({ createdAt: { $lt: c } }) },
  // Buckets of the partition-share shape; first-shape ones have no `resolution` and are left as they are.
  minute_buckets: { collection: 'timeseries', olderThan: (c) => ({ resolution: 'm', start: { $lt: iso(c) } }) },
  hour_buckets: { collection: 'timeseries', olderThan: (c) => ({ resolution: 'h', start: { $lt: iso(c) } }) },
  // Kept as long as the attempt log (the projector's env maps it), at most the latest 50 per endpoint.
  circuit_transitions: { collection: 'circuit_transitions', olderThan: (c) => ({ at: { $lt: iso(c) } }) },
};

/**
 * How long chart buckets are kept: what the longest window reading them needs, plus an hour (the stats' failures
 * in the last 24 h read minute buckets up to an hour past the window's start). Not configurable: the windows the
 * admin API offers decide it.
 */
export const bucketRetentionMs = {
  minute_buckets:
    Math.max(
      ...Object.values(timeseriesWindows)
        .filter((w) => w.resolution === 'm')
        .map((w) => w.spanMs),
    ) + 3_600_000,
  hour_buckets:
    Math.max(
      ...Object.values(timeseriesWindows)
        .filter((w) => w.resolution === 'h')
        .map((w) => w.spanMs),
    ) + 3_600_000,
} as const;

/** Deletes expired documents of one kind, in batches. */
export class ExpiredDocuments {
  private readonly collection: Collection<Document>;
  private readonly spec: KindSpec;

  private readonly replayedLetters: DeadLetters;
  private readonly indexes: SecondaryIndexes;

  constructor(
    db: Db,
    readonly kind: ExpiringKind,
  ) {
    this.indexes = new SecondaryIndexes(db);
    this.spec = specs[kind];
    this.collection = db.collection(this.spec.collection);
    this.replayedLetters = new DeadLetters(db);
  }

  /** Indexes that let a server use the age field (FerretDB 1 scans anyway; the sweep is batched and off the hot path). */
  async ensureIndexes(): Promise<void> {
    const keys = Object.fromEntries(Object.keys(this.spec.olderThan(new Date(0))).map((k) => [k, 1 as const]));
    // A sweep of the oldest inserted never filters on the age field: its index would only cost every insert.
    if (this.spec.insertedByAge) return this.indexes.drop(this.collection, keys);
    try {
      await this.indexes.ensure(this.collection, keys);
    } catch (error) {
      // The same keys indexed with other options (idempotency keys' TTL index, where the server has TTL): it serves.
      if (!(error instanceof MongoServerError && indexConflictCodes.has(Number(error.code)))) throw error;
    }
  }

  /**
   * Deletes up to `limit` documents older than `cutoff`: their ids first, then one delete by id that repeats the
   * age condition (a document written again meanwhile, e.g. a letter that died again, is not taken). Returns how
   * many were deleted; fewer than `limit` means none older is left (for kinds `insertedByAge`: none among the
   * oldest inserted, which is where the sweep starts again next time).
   */
  async deleteBatch(cutoff: Date, limit: number): Promise<number> {
    const marked = this.kind === 'replayed_dead_letters' ? await this.replayedLetters.deleteReplayedBefore(cutoff, limit) : 0;
    if (marked > 0) return marked;
    const filter = this.spec.olderThan(cutoff);
    const ids = (
      await this.collection
        .find(this.spec.insertedByAge ? {} : filter, { projection: { _id: 1 } })
        .limit(limit)
        .toArray()
    ).map((d) => d._id);
    if (ids.length === 0) return 0;
    const { deletedCount } = await this.collection.deleteMany({ ...filter, _id: { $in: ids } });
    return deletedCount;
  }
}
