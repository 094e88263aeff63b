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
  _id: string; // `${hookId}:${slot}`
  hookId: string;
  seq: number;
}

interface CallCounterDoc {
  _id: string; // hook id
  n: number;
}

export const excerptChars = 512;

/**
 * The most recent calls of each incoming webhook, kept as a ring of `slots` documents per hook: a counter
 * (`$inc` by `_id`) picks the slot and the call replaces whatever was there. Storage stays bounded without a TTL
 * index (FerretDB v1 expires nothing), and a read is an `_id` lookup of the hook's slots.
 */
export class IncomingCalls {
  readonly calls: Collection<IncomingCallDoc>;
  readonly counters: Collection<CallCounterDoc>;

  constructor(
    db: Db,
    readonly slots = 100,
  ) {
    this.calls = db.collection<IncomingCallDoc>('incoming_calls');
    this.counters = db.collection<CallCounterDoc>('incoming_call_counters');
  }

  async record(hookId: string, call: IncomingCall): Promise<void> {
    const counter = await this.counters.findOneAndUpdate({ _id: hookId }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    const seq = counter?.n ?? 1;
    const _id = `${hookId}:${(seq - 1) % this.slots}`;
    const doc: IncomingCallDoc = { _id, hookId, seq, ...call, bodyExcerpt: call.bodyExcerpt.slice(0, excerptChars) };
    await this.calls.replaceOne({ _id }, doc, { upsert: true });
  }

  /** The hook's latest calls, newest first. */
  async recent(hookId: string, limit: number): Promise<IncomingCall[]> {
    const ids = Array.from({ length: this.slots }, (_, slot) => `${hookId}:${slot}`);
    const docs = await this.calls.find({ _id: { $in: ids } }).toArray();
    return docs
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .map(({ _id, hookId: _hook, seq: _seq, ...call }) => call);
  }
}
