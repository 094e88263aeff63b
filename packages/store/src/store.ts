import type { AttemptRecord } from '@hookline/core';
import { type Collection, type Db, MongoBulkWriteError, type MongoClient, type UpdateFilter } from 'mongodb';
import type { AttemptDoc, EndpointStatsDoc } from './attempt-docs.js';
import { AttemptFold } from './attempt-fold.js';
import type { AttemptSource, SourcedAttempt } from './attempt-source.js';
import { connectMongo } from './client.js';
import { DeadLetters } from './dead-letters.js';
import { latencyBucketOf } from './latency.js';
import { Timeseries } from './timeseries.js';

export type { AttemptDoc, EndpointStatsDoc } from './attempt-docs.js';
export { latencyBucketBounds, latencyPercentile } from './latency.js';

/**
 * The MongoDB read models. Only features FerretDB (SQLite backend) also supports are used: upserts with
 * `$inc`/`$set`/`$max`, finds on indexed fields, and simple aggregations.
 */
export class Store {
  readonly stats: Collection<EndpointStatsDoc>;
  readonly attempts: Collection<AttemptDoc>;
  readonly deadLetters: DeadLetters;
  readonly timeseries: Timeseries;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.stats = db.collection<EndpointStatsDoc>('endpoint_stats');
    this.attempts = db.collection<AttemptDoc>('attempts');
    this.deadLetters = new DeadLetters(db);
    this.timeseries = new Timeseries(db);
  }

  static async connect(url: string, dbName: string): Promise<Store> {
    const client = await connectMongo(url);
    const store = new Store(client, client.db(dbName));
    await store.ensureIndexes();
    return store;
  }

  async ensureIndexes(): Promise<void> {
    await this.attempts.createIndex({ endpointId: 1, startedAt: -1 });
    await this.attempts.createIndex({ deliveryId: 1, attempt: 1 });
    await this.stats.createIndex({ tenantId: 1 });
    await this.attempts.createIndex({ tenantId: 1, startedAt: -1 });
    await this.attempts.createIndex({ tenantId: 1, recordedAt: 1 });
    await this.deadLetters.ensureIndexes();
  }

  /**
   * Records attempts and folds them into their endpoints' stats: one insert for the batch and one update per
   * endpoint. Attempt ids are document ids, so attempts seen again (a replayed batch after a crash) are skipped
   * and never counted twice; given the records' topic `source`, also a batch replayed after a crash between
   * the insert and the stats update is counted exactly once. Returns how many were folded and the updated stats.
   */
  async recordAttempts(
    attempts: AttemptRecord[],
    source?: AttemptSource,
  ): Promise<{ recorded: number; stats: Map<string, EndpointStatsDoc> }> {
    const fresh = await this.foldable(attempts, source);
    // The charts' buckets skip what they have folded before (by topic position), so a crash before the stats
    // update below does not count the batch twice there either.
    await this.timeseries.record(fresh);
    const byEndpoint = new Map<string, AttemptRecord[]>();
    for (const attempt of fresh) {
      const list = byEndpoint.get(attempt.endpointId);
      if (list) list.push(attempt);
      else byEndpoint.set(attempt.endpointId, [attempt]);
    }
    const updated = new Map<string, EndpointStatsDoc>();
    for (const [endpointId, list] of byEndpoint) {
      const update = statsUpdate(list);
      update.$max = { ...update.$max, ...AttemptFold.mark(list) };
      const stats = await this.stats.findOneAndUpdate({ _id: endpointId }, update, { upsert: true, returnDocument: 'after' });
      if (stats) updated.set(endpointId, stats);
    }
    return { recorded: fresh.length, stats: updated };
  }

  /**
   * The attempts to fold into the stats: those not stored before; with their topic `source` (the projector),
   * exactly those not folded yet, so a crash between storing and folding neither loses nor repeats a count.
   */
  private async foldable(attempts: AttemptRecord[], source?: AttemptSource): Promise<SourcedAttempt[]> {
    if (!source) return this.insertNew(attempts);
    const tagged = AttemptFold.tag(attempts, source);
    const inserted = await this.insertNew(tagged);
    const isNew = new Set(inserted);
    return new AttemptFold(this.attempts, this.stats).toFold(
      inserted,
      tagged.filter((a) => !isNew.has(a)),
      source,
    );
  }

  /**
   * Inserts the batch with one `recordedAt` and in id order, so a reader of the tenant feed (ordered by both)
   * that sees part of a batch still being inserted sees a prefix of it in feed order.
   */
  private async insertNew<T extends AttemptRecord>(attempts: T[]): Promise<T[]> {
    if (attempts.length === 0) return [];
    const recordedAt = new Date().toISOString();
    const order = attempts
      .map((_, i) => i)
      .sort((i, j) => (attempts[i]!.attemptId < attempts[j]!.attemptId ? -1 : attempts[i]!.attemptId > attempts[j]!.attemptId ? 1 : 0));
    try {
      await this.attempts.insertMany(
        order.map((i) => ({ _id: attempts[i]!.attemptId, ...attempts[i]!, recordedAt })),
        { ordered: false },
      );
      return attempts;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (errors.some((e) => e.code !== 11000)) throw error;
      const duplicates = new Set(errors.map((e) => order[e.index]));
      return attempts.filter((_, i) => !duplicates.has(i));
    }
  }

  /** The endpoint's most recent attempts, newest first. */
  recentAttempts(endpointId: string, limit: number): Promise<AttemptDoc[]> {
    return this.attempts.find({ endpointId }).sort({ startedAt: -1 }).limit(limit).toArray();
  }

  /** Every attempt of one delivery, in order. */
  deliveryAttempts(endpointId: string, deliveryId: string): Promise<AttemptDoc[]> {
    return this.attempts.find({ endpointId, deliveryId }).sort({ attempt: 1 }).toArray();
  }

  /** Waits for an attempt to be projected (send-test answers with its outcome); undefined after `timeoutMs`. */
  async waitForAttempt(attemptId: string, timeoutMs: number): Promise<AttemptDoc | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.attempts.findOne({ _id: attemptId });
      if (found) return found;
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Failed attempts since `since` for one endpoint or a whole tenant. */
  failuresSince(scope: { endpointId: string } | { tenantId: string }, since: Date): Promise<number> {
    return this.attempts.countDocuments({ ...scope, outcome: 'failure', startedAt: { $gte: since.toISOString() } });
  }

  tenantStats(tenantId: string): Promise<EndpointStatsDoc[]> {
    return this.stats.find({ tenantId }).toArray();
  }

  endpointStats(endpointId: string): Promise<EndpointStatsDoc | null> {
    return this.stats.findOne({ _id: endpointId });
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** One endpoint's attempts (in order) as a single stats update. */
function statsUpdate(attempts: AttemptRecord[]): UpdateFilter<EndpointStatsDoc> {
  const last = attempts[attempts.length - 1]!;
  const succeeded = attempts.filter((a) => a.outcome === 'success').length;
  const lastSuccess = attempts.map((a) => a.outcome).lastIndexOf('success');
  const failuresSinceSuccess = attempts.length - 1 - lastSuccess;
  const buckets: Record<string, number> = {};
  for (const a of attempts)
    buckets[`latencyBuckets.${latencyBucketOf(a.durationMs)}`] = (buckets[`latencyBuckets.${latencyBucketOf(a.durationMs)}`] ?? 0) + 1;
  return {
    $inc: {
      ...buckets,
      attempts: attempts.length,
      succeeded,
      failed: attempts.length - succeeded,
      totalLatencyMs: attempts.reduce((n, a) => n + a.durationMs, 0),
      // With a success in the batch the counter restarts (set below); otherwise it grows.
      ...(lastSuccess < 0 ? { consecutiveFailures: attempts.length } : {}),
    },
    $max: { maxLatencyMs: Math.max(...attempts.map((a) => a.durationMs)) },
    $set: {
      tenantId: last.tenantId,
      lastAttemptAt: last.startedAt,
      lastStatus: last.outcome,
      lastStatusCode: last.statusCode ?? null,
      lastError: last.errorMessage ?? null,
      ...(lastSuccess >= 0 ? { consecutiveFailures: failuresSinceSuccess } : {}),
    },
  };
}
