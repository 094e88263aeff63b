import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';

/** One call a third party made to an incoming webhook, as its admin page lists them. */
export interface IncomingCall {
  at: string;
  /** The HTTP status ingest answered with. */
  status: number;
  eventId?: string;
  eventType?: string;
  error?: string;
  /** The start of the body as received (text, cut at `excerptChars`). */
  bodyExcerpt: string;
}

interface IncomingCallDoc extends IncomingCall {
  _id: string; // `${hookId}|${at}|${random}`: one hook's calls are one `_id` range, in time order
}

export const excerptChars = 512;

/**
 * The most recent calls of each incoming webhook. Every call is a plain insert under an `_id` that sorts by hook
 * and time, so reading a hook's latest calls is one `_id` range query, and concurrent calls never contend (a
 * counter would: FerretDB's `$inc` upsert is not atomic across concurrent first writers). Every few inserts of a
 * hook, this process deletes what lies beyond its newest `keep` calls, so storage stays bounded without a TTL
 * index (FerretDB v1 expires nothing).
 */
export class IncomingCalls {
  readonly calls: Collection<IncomingCallDoc>;
  private readonly insertsSincePrune = new Map<string, number>();
  private readonly pruneEvery: number;

  constructor(
    db: Db,
    readonly keep = 100,
  ) {
    this.calls = db.collection<IncomingCallDoc>('incoming_calls');
    this.pruneEvery = Math.max(1, Math.floor(keep / 10));
  }

  private static range(hookId: string) {
    return { $gt: `${hookId}|`, $lt: `${hookId}|\uffff` };
  }

  async record(hookId: string, call: IncomingCall): Promise<void> {
    const _id = `${hookId}|${call.at}|${randomBytes(4).toString('hex')}`;
    await this.calls.insertOne({ _id, ...call, bodyExcerpt: call.bodyExcerpt.slice(0, excerptChars) });
    const inserts = (this.insertsSincePrune.get(hookId) ?? 0) + 1;
    this.insertsSincePrune.set(hookId, inserts % this.pruneEvery);
    if (inserts >= this.pruneEvery) await this.prune(hookId);
  }

  /** Deletes the hook's calls older than its newest `keep`. */
  private async prune(hookId: string): Promise<void> {
    const [oldestKept] = await this.calls
      .find({ _id: IncomingCalls.range(hookId) }, { projection: { _id: 1 } })
      .sort({ _id: -1 })
      .skip(this.keep - 1)
      .limit(1)
      .toArray();
    if (oldestKept) await this.calls.deleteMany({ _id: { $gt: `${hookId}|`, $lt: oldestKept._id } });
  }

  /** The hook's latest calls, newest first. */
  async recent(hookId: string, limit: number): Promise<IncomingCall[]> {
    const docs = await this.calls
      .find({ _id: IncomingCalls.range(hookId) })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(({ _id, ...call }) => call);
  }
}
