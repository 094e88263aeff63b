import type { DeadLetterRecord } from '@hookline/core';
import { type Collection, type Db, MongoBulkWriteError } from 'mongodb';

/** The latest dead letter of a delivery; `replayed` once it has been sent back to `deliveries`. */
export interface DeadLetterDoc extends DeadLetterRecord {
  _id: string; // delivery id
  endpointId: string;
  tenantId: string;
  state: 'dead' | 'replayed';
  /**
   * Set when a replay job marked it `replayed`: the job and which of its batches (the job's progress when the
   * batch began; a resumed job sends that batch again, as it may have been marked and not sent). A newer dead letter of the delivery replaces the whole
   * document, so a fresh failure never carries them.
   */
  replayJob?: string;
  replayBatch?: number;
}

/** A replay job's progress, for the admin API and the page's progress bar. */
export interface ReplayJobDoc {
  _id: string;
  tenantId: string;
  endpointId: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeadLetterFilter {
  state?: DeadLetterDoc['state'];
  /** ISO times bounding `deadLetteredAt`. */
  from?: string;
  to?: string;
}

function query(endpointId: string, { state, from, to }: DeadLetterFilter) {
  const deadLetteredAt = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
  return { endpointId, ...(state ? { state } : {}), ...(from || to ? { deadLetteredAt } : {}) };
}

/** Dead letters and replay jobs in MongoDB (FerretDB-safe: replaceOne/updateMany/find with indexes). */
export class DeadLetters {
  readonly letters: Collection<DeadLetterDoc>;
  readonly jobs: Collection<ReplayJobDoc>;

  constructor(db: Db) {
    this.letters = db.collection<DeadLetterDoc>('dead_letters');
    this.jobs = db.collection<ReplayJobDoc>('replay_jobs');
  }

  async ensureIndexes(): Promise<void> {
    await this.letters.createIndex({ endpointId: 1, state: 1, deadLetteredAt: 1 });
    await this.letters.createIndex({ replayJob: 1, replayBatch: 1 });
  }

  /**
   * Keeps the newest dead letter per delivery (a replayed delivery that fails again replaces it). New ones go
   * in as one unordered insert; only deliveries already known (rare) cost a read and a replace by `_id`, the one
   * filter FerretDB answers without a scan.
   */
  async record(letters: DeadLetterRecord[]): Promise<void> {
    if (letters.length === 0) return;
    const docs: DeadLetterDoc[] = letters.map((l) => ({
      _id: l.task.deliveryId,
      endpointId: l.task.endpointId,
      tenantId: l.task.tenantId,
      state: 'dead',
      ...l,
    }));
    let known: DeadLetterDoc[] = [];
    try {
      await this.letters.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (errors.some((e) => e.code !== 11000)) throw error;
      known = errors.map((e) => docs[e.index]!);
    }
    for (const doc of known) {
      const stored = await this.letters.findOne({ _id: doc._id });
      if (!stored || stored.deadLetteredAt <= doc.deadLetteredAt) await this.letters.replaceOne({ _id: doc._id }, doc, { upsert: true });
    }
  }

  find(endpointId: string, filter: DeadLetterFilter = {}, limit = 0) {
    return this.letters.find(query(endpointId, filter)).sort({ deadLetteredAt: 1 }).limit(limit);
  }

  count(endpointId: string, filter: DeadLetterFilter = {}): Promise<number> {
    return this.letters.countDocuments(query(endpointId, filter));
  }

  /** The delivery's dead letter if it is still dead (not replayed since). */
  getDead(endpointId: string, deliveryId: string): Promise<DeadLetterDoc | null> {
    return this.letters.findOne({ _id: deliveryId, endpointId, state: 'dead' });
  }

  /**
   * Marks these letters `replayed`, before they are sent again: a letter the resend produces (a fresh failure)
   * comes later and replaces the marked one, so it stays visible and `dead`. Only letters still dead are marked.
   */
  async markReplayed(deliveryIds: string[], by?: { job: string; batch: number }): Promise<void> {
    if (deliveryIds.length === 0) return;
    const marks = by ? { replayJob: by.job, replayBatch: by.batch } : {};
    await this.letters.updateMany({ _id: { $in: deliveryIds }, state: 'dead' }, { $set: { state: 'replayed', ...marks } });
  }

  /** Puts letters marked `replayed` back to `dead` (their resend failed); a newer letter is left alone. */
  async unmarkReplayed(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length) await this.letters.updateMany({ _id: { $in: deliveryIds }, state: 'replayed' }, { $set: { state: 'dead' } });
  }

  /** The letters a replay job marked in one batch (and still marked: not replaced by a newer letter). */
  replayBatch(job: string, batch: number): Promise<DeadLetterDoc[]> {
    return this.letters.find({ replayJob: job, replayBatch: batch, state: 'replayed' }).toArray();
  }
}
