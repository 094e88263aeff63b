import { MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import type { AttemptRecord } from '@hookline/core';

/** Per-endpoint delivery statistics, maintained by the projector from the `attempts` topic. */
export interface EndpointStatsDoc {
  _id: string; // endpoint id
  tenantId: string;
  attempts: number;
  succeeded: number;
  failed: number;
  totalLatencyMs: number;
  maxLatencyMs: number;
  lastAttemptAt: string;
  lastStatus: 'success' | 'failure';
  lastStatusCode: number | null;
  lastError: string | null;
  /** Failed attempts since the last success; drives auto-disable. */
  consecutiveFailures: number;
}

export type AttemptDoc = AttemptRecord & { _id: string };

/**
 * The MongoDB read models. Only features FerretDB (SQLite backend) also supports are used: upserts with
 * `$inc`/`$set`/`$max`, finds on indexed fields, and simple aggregations.
 */
export class Store {
  readonly stats: Collection<EndpointStatsDoc>;
  readonly attempts: Collection<AttemptDoc>;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.stats = db.collection<EndpointStatsDoc>('endpoint_stats');
    this.attempts = db.collection<AttemptDoc>('attempts');
  }

  static async connect(url: string, dbName: string): Promise<Store> {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
    await client.connect();
    const store = new Store(client, client.db(dbName));
    await store.ensureIndexes();
    return store;
  }

  async ensureIndexes(): Promise<void> {
    await this.attempts.createIndex({ endpointId: 1, startedAt: -1 });
    await this.attempts.createIndex({ deliveryId: 1, attempt: 1 });
    await this.stats.createIndex({ tenantId: 1 });
  }

  /**
   * Records one attempt and folds it into the endpoint's stats. The attempt id is the document id, so an
   * attempt seen twice (a replayed batch after a crash) is counted once.
   */
  async recordAttempt(attempt: AttemptRecord): Promise<EndpointStatsDoc | undefined> {
    try {
      await this.attempts.insertOne({ _id: attempt.attemptId, ...attempt });
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return undefined;
      throw error;
    }
    const success = attempt.outcome === 'success';
    // Attempts of one endpoint arrive in order (same partition), so "reset on success" is well defined.
    const stats = await this.stats.findOneAndUpdate(
      { _id: attempt.endpointId },
      {
        $inc: { attempts: 1, succeeded: success ? 1 : 0, failed: success ? 0 : 1, totalLatencyMs: attempt.durationMs, ...(success ? {} : { consecutiveFailures: 1 }) },
        $max: { maxLatencyMs: attempt.durationMs },
        $set: {
          tenantId: attempt.tenantId,
          lastAttemptAt: attempt.startedAt,
          lastStatus: attempt.outcome,
          lastStatusCode: attempt.statusCode ?? null,
          lastError: attempt.errorMessage ?? null,
          ...(success ? { consecutiveFailures: 0 } : {}),
        },
      },
      { upsert: true, returnDocument: 'after' },
    );
    return stats ?? undefined;
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
