import type { AttemptRecord } from '@hookline/core';
import type { Collection, Db, MongoClient } from 'mongodb';
import type { AttemptDoc, EndpointStatsDoc, PartitionStatsDoc } from './attempt-docs.js';
import { AttemptFold } from './attempt-fold.js';
import { packAttempt, type StoredAttemptDoc } from './attempt-packing.js';
import type { AttemptSource } from './attempt-source.js';
import { connectMongo } from './client.js';
import { DeadLetters } from './dead-letters.js';
import { EndpointHealth } from './endpoint-health.js';
import { EndpointStats } from './endpoint-stats.js';
import { insertOnce } from './insert-once.js';
import { SecondaryIndexes } from './secondary-indexes.js';
import { shareBodies, withBodies } from './shared-bodies.js';
import { endpointScope, Timeseries, tenantScope } from './timeseries.js';
import { isUnstorable } from './unstorable.js';

export type { AttemptDoc, EndpointStatsDoc, PartitionStatsDoc } from './attempt-docs.js';
export type { PackedAttemptDoc, StoredAttemptDoc } from './attempt-packing.js';
export { latencyBucketBounds, latencyPercentile } from './latency.js';

/**
 * The MongoDB read models. Only features FerretDB (SQLite backend) also supports are used: inserts and replaces
 * by `_id`, finds on `_id` and indexed fields. No document has two writers (FerretDB v1 applies an update as
 * read, modify, write, so concurrent updates of one document lose some): attempts are inserted once, counters
 * are per `attempts` partition and written by its owner (see `owned-write.ts`), summed on read.
 */
export class Store {
  readonly stats: EndpointStats;
  /** The attempt log, in either stored shape (`attempt-packing.ts`): read it through the methods below. */
  readonly attempts: Collection<StoredAttemptDoc>;
  readonly deadLetters: DeadLetters;
  readonly timeseries: Timeseries;
  /** Circuit state and history, blocked ordered lanes (delivery's status records on `attempts`). */
  readonly health: EndpointHealth;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.stats = new EndpointStats(db);
    this.attempts = db.collection<StoredAttemptDoc>('attempts');
    this.deadLetters = new DeadLetters(db);
    this.timeseries = new Timeseries(db);
    this.health = new EndpointHealth(db);
  }

  static async connect(url: string, dbName: string): Promise<Store> {
    const client = await connectMongo(url);
    const store = new Store(client, client.db(dbName));
    await store.ensureIndexes();
    return store;
  }

  /** Drops a namespace's database (a finished test file's), without creating its indexes first. */
  static async drop(url: string, dbName: string): Promise<void> {
    const client = await connectMongo(url);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  }

  async ensureIndexes(): Promise<void> {
    const indexes = new SecondaryIndexes(this.db);
    await indexes.ensure(this.attempts, { endpointId: 1, startedAt: -1 });
    await indexes.ensure(this.attempts, { deliveryId: 1, attempt: 1 });
    await this.stats.ensureIndexes();
    await indexes.ensure(this.attempts, { tenantId: 1, startedAt: -1 });
    await indexes.ensure(this.attempts, { tenantId: 1, recordedAt: 1 });
    await this.deadLetters.ensureIndexes();
    await this.health.ensureIndexes();
  }

  /**
   * Records attempts (one insert for the batch; attempt ids are document ids, so an attempt seen again is stored
   * once) and folds them into the counters of their partition `source.partition` (stats and chart buckets), each
   * attempt once: a batch replayed after a crash, also between the insert and the counters, counts once. Returns
   * how many were folded and, per endpoint whose stats moved, its share (its consecutive failures are the
   * endpoint's: an endpoint's attempts share a partition). `between` runs between the steps (a heartbeat).
   *
   * With `deferFolds` the counters are staged, not written: the next batches of the partition fold into the staged
   * copies, and `flushFolds` writes them. Until then the batch's records must stay uncommitted (a crash folds them
   * again from what was written). Without it they are written before this returns.
   */
  async recordAttempts(
    attempts: AttemptRecord[],
    source: AttemptSource,
    between: () => Promise<void> = async () => {},
    { deferFolds = false }: { deferFolds?: boolean } = {},
  ): Promise<{ recorded: number; stats: Map<string, PartitionStatsDoc> }> {
    const tagged = AttemptFold.tag(attempts, source);
    const inserted = await this.insertNew(tagged);
    const isNew = new Set(inserted);
    const candidates = await new AttemptFold(this.attempts).toFold(
      inserted,
      tagged.filter((a) => !isNew.has(a)),
    );
    await between();
    await this.timeseries.record(candidates, source.partition);
    const { shares, gained } = await this.stats.fold(candidates, source.partition);
    let refused = new Set<string>();
    if (!deferFolds) {
      await between();
      refused = await this.flushFolds(source.partition);
    }
    let recorded = 0;
    for (const [endpointId, share] of shares) {
      // A share refused (a newer owner's copy is ahead) did not move: this process lost the partition.
      if (refused.has(share._id)) shares.delete(endpointId);
      else recorded += gained.get(endpointId)!;
    }
    return { recorded, stats: shares };
  }

  /**
   * Writes the counters staged for `partition`: buckets first, stats last (a crash in between is repaired by the
   * replayed batches either way, by `through`). Returns the ids of the stats shares refused because a newer
   * owner's copy was ahead.
   */
  async flushFolds(partition: number): Promise<Set<string>> {
    await this.timeseries.folds.flush(partition);
    return this.stats.folds.flush(partition);
  }

  /** How many counter documents of `partition` are staged, waiting for `flushFolds`. */
  stagedFolds(partition: number): number {
    return this.timeseries.folds.stagedOf(partition) + this.stats.folds.stagedOf(partition);
  }

  /** Forgets the counters staged for a partition this process no longer owns (its new owner folds them again). */
  dropFolds(partition: number): void {
    this.timeseries.folds.drop(partition);
    this.stats.folds.drop(partition);
  }

  /**
   * Inserts the batch with one `recordedAt` and in id order, so a reader of the tenant feed (ordered by both)
   * that sees part of a batch still being inserted sees a prefix of it in feed order. Returns the attempts that
   * were not stored yet; an attempt found stored is left to `AttemptFold`, which tells a replay of the same record
   * (folded by `through`) from the same attempt on another record.
   */
  private async insertNew<T extends AttemptRecord>(attempts: T[]): Promise<T[]> {
    if (attempts.length === 0) return [];
    const recordedAt = new Date().toISOString();
    const sorted = [...attempts].sort((a, b) => (a.attemptId < b.attemptId ? -1 : a.attemptId > b.attemptId ? 1 : 0));
    const docs = shareBodies(sorted.map((a) => ({ _id: a.attemptId, ...a, recordedAt }))).map(packAttempt);
    const stored = await insertOnce(this.attempts, docs);
    return attempts.filter((a) => !stored.has(a.attemptId));
  }

  /** True when a write failed for what was written (see `isUnstorable`). */
  unstorable(error: unknown): boolean {
    return isUnstorable(error);
  }

  /** The endpoint's most recent attempts, newest first. */
  async recentAttempts(endpointId: string, limit: number): Promise<AttemptDoc[]> {
    return withBodies(this.attempts, await this.attempts.find({ endpointId }).sort({ startedAt: -1 }).limit(limit).toArray());
  }

  /** Every attempt of one delivery, in order. */
  async deliveryAttempts(endpointId: string, deliveryId: string): Promise<AttemptDoc[]> {
    return withBodies(this.attempts, await this.attempts.find({ endpointId, deliveryId }).sort({ attempt: 1 }).toArray());
  }

  /** Waits for an attempt to be projected (send-test answers with its outcome); undefined after `timeoutMs`. */
  async waitForAttempt(attemptId: string, timeoutMs: number): Promise<AttemptDoc | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.attempts.findOne({ _id: attemptId });
      if (found) return (await withBodies(this.attempts, [found]))[0];
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Failed attempts since `since` (to the minute) for one endpoint or a whole tenant, from the chart buckets (the
   * attempt log expires, and counting it would scan on FerretDB).
   */
  failuresSince(scope: { endpointId: string } | { tenantId: string }, since: Date): Promise<number> {
    const key = 'endpointId' in scope ? endpointScope(scope.endpointId) : tenantScope(scope.tenantId);
    return this.timeseries.failedSince(key, since.getTime());
  }

  tenantStats(tenantId: string): Promise<EndpointStatsDoc[]> {
    return this.stats.tenant(tenantId);
  }

  endpointStats(endpointId: string): Promise<EndpointStatsDoc | null> {
    return this.stats.endpoint(endpointId);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
