import { type Collection, type Db, type MongoClient, MongoServerError } from 'mongodb';
import { connectMongo } from './client.js';
import { SecondaryIndexes } from './secondary-indexes.js';

/**
 * One Idempotency-Key of one tenant: which event it produced (or is producing) and a hash of the request
 * body, so a reuse with a different body is detected.
 */
export interface IdempotencyDoc {
  _id: string; // `${tenantId}:${key}`
  state: 'pending' | 'done';
  eventId: string;
  eventTimestamp: string;
  bodyHash: string;
  /** When the key was first used; the key is forgotten 24 h later. */
  createdAt: Date;
  /** When the current owner claimed it; a pending claim older than the lease is taken over. */
  claimedAt: Date;
}

/** What the caller should do with a request that carries an Idempotency-Key. */
export type IdempotencyClaim =
  /** First use (or a takeover of an abandoned one): produce the event with these values, then `complete` or `release`. */
  | { outcome: 'claimed'; id: string; eventId: string; eventTimestamp: string; claimedAt: Date }
  /** The key already produced this event: answer with it, produce nothing. */
  | { outcome: 'replayed'; eventId: string; eventTimestamp: string }
  /** The key was used with a different body. */
  | { outcome: 'mismatch' }
  /** Another request with the key is still producing after `waitMs`. */
  | { outcome: 'busy' };

export interface IdempotencyOptions {
  /** How long a key is remembered. */
  ttlMs?: number;
  /** How long a duplicate waits for the first request to finish. */
  waitMs?: number;
  pollMs?: number;
  /**
   * A pending claim older than this is considered abandoned (its owner crashed between claiming and
   * finishing) and may be taken over. The takeover reuses the claim's event id, so even if the first owner did
   * produce, subscribers see the same event id (and the same delivery ids) and deduplicate.
   */
  leaseMs?: number;
}

const DAY_MS = 24 * 3600 * 1000;
const DUPLICATE_KEY = 11000;

/**
 * Idempotency keys in MongoDB, using only what FerretDB also supports: insertOne on a unique `_id` as the lock,
 * findOne, deleteOne and updateOne with `$set` as compare-and-set. A TTL index is created where the server
 * supports it, but expiry is also checked on read (FerretDB v1 does not expire documents).
 */
export class IdempotencyKeys {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;

  constructor(
    readonly collection: Collection<IdempotencyDoc>,
    options: IdempotencyOptions = {},
    private readonly client?: MongoClient,
  ) {
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.waitMs = options.waitMs ?? 10_000;
    this.pollMs = options.pollMs ?? 50;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  static async connect(url: string, dbName: string, options: IdempotencyOptions = {}): Promise<IdempotencyKeys> {
    const client = await connectMongo(url);
    const keys = IdempotencyKeys.on(client.db(dbName), options, client);
    await keys.ensureIndexes(new SecondaryIndexes(client.db(dbName)));
    return keys;
  }

  static on(db: Db, options: IdempotencyOptions = {}, client?: MongoClient): IdempotencyKeys {
    return new IdempotencyKeys(db.collection<IdempotencyDoc>('idempotency_keys'), options, client);
  }

  /** The TTL index; with `indexes`, only where the server reads indexes (FerretDB 1 neither reads it nor expires by it). */
  async ensureIndexes(indexes?: SecondaryIndexes): Promise<void> {
    const keys = { createdAt: 1 } as const;
    const options = { expireAfterSeconds: Math.ceil(this.ttlMs / 1000) };
    try {
      await (indexes ? indexes.ensure(this.collection, keys, options) : this.collection.createIndex(keys, options));
    } catch {
      // Servers without TTL indexes: expiry is enforced on read anyway.
    }
  }

  /**
   * Claims `key` for a new event, or finds what an earlier request with the key did. A concurrent duplicate
   * waits (polling) until the first request completes or releases the key.
   */
  async claim(
    tenantId: string,
    key: string,
    bodyHash: string,
    fresh: { eventId: string; eventTimestamp: string },
  ): Promise<IdempotencyClaim> {
    const id = `${tenantId}:${key}`;
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const now = new Date();
      try {
        await this.collection.insertOne({ _id: id, state: 'pending', ...fresh, bodyHash, createdAt: now, claimedAt: now });
        return { outcome: 'claimed', id, ...fresh, claimedAt: now };
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
      const existing = await this.collection.findOne({ _id: id });
      if (!existing) continue; // released or expired meanwhile: try to insert again
      if (now.getTime() - existing.createdAt.getTime() >= this.ttlMs) {
        // Expired but not (yet) removed by a TTL monitor: remove exactly that document, then start over.
        await this.collection.deleteOne({ _id: id, createdAt: existing.createdAt });
        continue;
      }
      if (existing.bodyHash !== bodyHash) return { outcome: 'mismatch' };
      if (existing.state === 'done') return { outcome: 'replayed', eventId: existing.eventId, eventTimestamp: existing.eventTimestamp };
      if (now.getTime() - existing.claimedAt.getTime() >= this.leaseMs) {
        const taken = await this.collection.updateOne(
          { _id: id, state: 'pending', claimedAt: existing.claimedAt },
          { $set: { claimedAt: now } },
        );
        if (taken.modifiedCount === 1)
          return { outcome: 'claimed', id, eventId: existing.eventId, eventTimestamp: existing.eventTimestamp, claimedAt: now };
        continue;
      }
      if (Date.now() >= deadline) return { outcome: 'busy' };
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /** The event is on the broker: later requests with the key get its id. */
  async complete(claim: Extract<IdempotencyClaim, { outcome: 'claimed' }>): Promise<void> {
    await this.collection.updateOne({ _id: claim.id, claimedAt: claim.claimedAt }, { $set: { state: 'done' } });
  }

  /** Producing failed: forget the key so a retry (or a waiting duplicate) can proceed. */
  async release(claim: Extract<IdempotencyClaim, { outcome: 'claimed' }>): Promise<void> {
    await this.collection.deleteOne({ _id: claim.id, claimedAt: claim.claimedAt, state: 'pending' });
  }

  async ping(): Promise<void> {
    await this.collection.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}
