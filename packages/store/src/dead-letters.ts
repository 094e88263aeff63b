import type { DeadLetterRecord } from '@hookline/core';
import type { Collection, Db } from 'mongodb';
import { insertOnce } from './insert-once.js';
import { PacedCounts } from './paced-count.js';
import { SecondaryIndexes } from './secondary-indexes.js';

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

function query(endpointId: string, { from, to }: DeadLetterFilter) {
  const deadLetteredAt = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
  return { endpointId, ...(from || to ? { deadLetteredAt } : {}) };
}

/**
 * A replay's mark on a dead letter, kept apart from the letter: the projector is the only writer of
 * `dead_letters` and config-api the only writer of `dead_letter_replays`, so no document has two writers (FerretDB
 * updates are read-modify-write: a mark written over a letter the projector had just replaced would hide it).
 * A mark covers the letter it was made for (`letterAt`); a newer letter of the delivery is dead again.
 */
export interface ReplayMarkDoc {
  _id: string; // delivery id
  endpointId: string;
  /** `deadLetteredAt` of the letter that was marked. */
  letterAt: string;
  replayJob?: string;
  replayBatch?: number;
  markedAt: string;
}

const readChunk = 500;

/** Every count or list key of the endpoint starts so (NUL: no endpoint id contains it). */
const countKeyPrefix = (endpointId: string) => `${endpointId}\u0000`;
const filterKey = (endpointId: string, filter: DeadLetterFilter) =>
  `${countKeyPrefix(endpointId)}${filter.state ?? ''}\u0000${filter.from ?? ''}\u0000${filter.to ?? ''}`;

/** The letter as readers see it: `replayed` when a mark covers it (or, on documents of the first shape, its own state). */
function withState(letter: DeadLetterDoc, mark: ReplayMarkDoc | undefined): DeadLetterDoc {
  const replayed = letter.state === 'replayed' || (mark !== undefined && mark.letterAt >= letter.deadLetteredAt);
  if (!replayed) return { ...letter, state: 'dead' };
  return { ...letter, state: 'replayed', ...(mark?.replayJob ? { replayJob: mark.replayJob, replayBatch: mark.replayBatch } : {}) };
}

/** Dead letters and replay jobs in MongoDB (FerretDB-safe: replaceOne/deleteMany/find with indexes). */
export class DeadLetters {
  readonly letters: Collection<DeadLetterDoc>;
  readonly marks: Collection<ReplayMarkDoc>;
  readonly jobs: Collection<ReplayJobDoc>;

  private readonly indexes: SecondaryIndexes;
  /** Per endpoint and filter: a count scans the collection on FerretDB (see `count`). */
  private readonly counts: PacedCounts;
  /** Lists being read, by endpoint, filter and limit: identical ones at the same time share one read (see `find`). */
  private readonly listing = new Map<string, Promise<DeadLetterDoc[]>>();

  constructor(db: Db) {
    this.counts = new PacedCounts();
    this.indexes = new SecondaryIndexes(db);
    this.letters = db.collection<DeadLetterDoc>('dead_letters');
    this.marks = db.collection<ReplayMarkDoc>('dead_letter_replays');
    this.jobs = db.collection<ReplayJobDoc>('replay_jobs');
  }

  async ensureIndexes(): Promise<void> {
    await this.indexes.ensure(this.letters, { endpointId: 1, deadLetteredAt: 1 });
    await this.indexes.ensure(this.marks, { endpointId: 1 });
    await this.indexes.ensure(this.marks, { replayJob: 1, replayBatch: 1 });
  }

  /**
   * Keeps the newest dead letter per delivery (a replayed delivery that fails again replaces it). New ones go
   * in as one unordered insert; only deliveries already known (rare) cost a read and a replace by `_id`, the one
   * filter FerretDB answers without a scan. The projector is this collection's only writer.
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
    // Found stored: known before, or inserted by this call before a duplicate stopped it (then the same copy).
    const known = await insertOnce(this.letters, docs);
    for (const doc of docs.filter((d) => known.has(d._id))) {
      const stored = await this.letters.findOne({ _id: doc._id });
      if (!stored || stored.deadLetteredAt <= doc.deadLetteredAt) await this.letters.replaceOne({ _id: doc._id }, doc, { upsert: true });
    }
    for (const endpointId of new Set(docs.map((d) => d.endpointId))) this.changed(countKeyPrefix(endpointId));
  }

  private async marksFor(ids: string[]): Promise<Map<string, ReplayMarkDoc>> {
    if (ids.length === 0) return new Map();
    const marks = await this.marks.find({ _id: { $in: ids } }).toArray();
    return new Map(marks.map((m) => [m._id, m]));
  }

  private async annotate(letters: DeadLetterDoc[]): Promise<DeadLetterDoc[]> {
    const marks = await this.marksFor(letters.map((l) => l._id));
    return letters.map((l) => withState(l, marks.get(l._id)));
  }

  /**
   * The endpoint's letters in `deadLetteredAt` order, with their state; `limit` 0 is all. On FerretDB the query scans
   * and sorts the whole collection, like a count: identical reads asked for while one runs share it (each caller
   * gets its own array), so a dashboard refreshing faster than a read takes does not pile scans up. Nothing is
   * reused once the read is done, and a write of this process starts the next read afresh.
   */
  find(endpointId: string, filter: DeadLetterFilter = {}, limit = 0): { toArray(): Promise<DeadLetterDoc[]> } {
    return { toArray: () => this.sharedList(endpointId, filter, limit) };
  }

  private async sharedList(endpointId: string, filter: DeadLetterFilter, limit: number): Promise<DeadLetterDoc[]> {
    const key = `${filterKey(endpointId, filter)}\u0000${limit}`;
    let reading = this.listing.get(key);
    if (!reading) {
      const read = this.list(endpointId, filter, limit);
      reading = read;
      this.listing.set(key, read);
      const done = () => {
        if (this.listing.get(key) === read) this.listing.delete(key);
      };
      read.then(done, done);
    }
    return [...(await reading)];
  }

  private async list(endpointId: string, filter: DeadLetterFilter, limit: number): Promise<DeadLetterDoc[]> {
    const found: DeadLetterDoc[] = [];
    await this.eachMatching(endpointId, filter, (letter) => {
      found.push(letter);
      return limit > 0 && found.length >= limit;
    });
    return found;
  }

  /** Calls `visit` with the endpoint's letters in order that match the filter (state included) until it returns true. */
  private async eachMatching(endpointId: string, filter: DeadLetterFilter, visit: (letter: DeadLetterDoc) => boolean): Promise<void> {
    const cursor = this.letters.find(query(endpointId, filter)).sort({ deadLetteredAt: 1, _id: 1 });
    let chunk: DeadLetterDoc[] = [];
    // Whether `visit` has had enough; the chunk's annotation is one read of the marks for up to `readChunk` letters.
    const flush = async (): Promise<boolean> => {
      const annotated = await this.annotate(chunk);
      chunk = [];
      return annotated.some((letter) => (!filter.state || letter.state === filter.state) && visit(letter));
    };
    try {
      for await (const letter of cursor) {
        chunk.push(letter);
        if (chunk.length >= readChunk && (await flush())) return;
      }
      await flush();
    } finally {
      await cursor.close();
    }
  }

  /**
   * How many of the endpoint's letters match. On FerretDB a count scans the whole collection (every tenant's
   * letters), so counts are paced (`PacedCount`): callers while one runs share it, and callers soon after get its
   * value, which may trail the projector's latest letters by up to nine times the count's duration. A dashboard
   * refreshing faster than a count takes would otherwise start scans beside each other until FerretDB answered
   * nothing else, for every tenant. Marks written by this process are seen at once.
   */
  count(endpointId: string, filter: DeadLetterFilter = {}): Promise<number> {
    return this.counts.latest(filterKey(endpointId, filter), () => this.countNow(endpointId, filter));
  }

  private async countNow(endpointId: string, filter: DeadLetterFilter): Promise<number> {
    if (!filter.state) return this.letters.countDocuments(query(endpointId, filter));
    // The state depends on the marks: counted a chunk at a time, never holding the letters.
    let matching = 0;
    await this.eachMatching(endpointId, filter, () => {
      matching++;
      return false;
    });
    return matching;
  }

  /** Letters of every endpoint by state, for the gauge. */
  async countByState(): Promise<{ dead: number; replayed: number }> {
    const total = await this.letters.countDocuments({});
    let replayed = await this.letters.countDocuments({ state: 'replayed' });
    const marks = await this.marks.find({}).toArray();
    for (let i = 0; i < marks.length; i += readChunk) {
      const part = marks.slice(i, i + readChunk);
      const byId = new Map(part.map((m) => [m._id, m]));
      const letters = await this.letters.find({ _id: { $in: part.map((m) => m._id) }, state: 'dead' }).toArray();
      replayed += letters.filter((l) => withState(l, byId.get(l._id)).state === 'replayed').length;
    }
    return { dead: total - replayed, replayed };
  }

  /** The delivery's dead letter if it is still dead (not replayed since). */
  async getDead(endpointId: string, deliveryId: string): Promise<DeadLetterDoc | null> {
    const letter = await this.letters.findOne({ _id: deliveryId, endpointId });
    if (!letter) return null;
    const [annotated] = await this.annotate([letter]);
    return annotated!.state === 'dead' ? annotated! : null;
  }

  /**
   * Marks these letters `replayed`, before they are sent again: a letter the resend produces (a fresh failure)
   * is newer than the mark and stays visible and `dead`. Only letters still dead are marked.
   */
  async markReplayed(deliveryIds: string[], by?: { job: string; batch: number }): Promise<void> {
    if (deliveryIds.length === 0) return;
    const letters = await this.annotate(await this.letters.find({ _id: { $in: deliveryIds } }).toArray());
    const markedAt = new Date().toISOString();
    for (const letter of letters) {
      if (letter.state !== 'dead') continue;
      const mark: ReplayMarkDoc = {
        _id: letter._id,
        endpointId: letter.endpointId,
        letterAt: letter.deadLetteredAt,
        markedAt,
        ...(by ? { replayJob: by.job, replayBatch: by.batch } : {}),
      };
      await this.marks.replaceOne({ _id: mark._id }, mark, { upsert: true });
      this.changed(countKeyPrefix(letter.endpointId));
    }
  }

  /** Takes the marks back (their resend failed): the letters they covered are dead again. */
  async unmarkReplayed(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.marks.deleteMany({ _id: { $in: deliveryIds } });
    // Rare (a resend that failed): every endpoint's counts, rather than a read of the marks' endpoints first.
    this.changed('');
  }

  /** This process wrote letters or marks under `prefix`: counts and reads after it see them. */
  private changed(prefix: string): void {
    this.counts.invalidate(prefix);
    for (const key of this.listing.keys()) if (key.startsWith(prefix)) this.listing.delete(key);
  }

  /** The letters a replay job marked in one batch and that are still the marked ones (not replaced by a newer letter). */
  async replayBatch(job: string, batch: number): Promise<DeadLetterDoc[]> {
    const marks = await this.marks.find({ replayJob: job, replayBatch: batch }).toArray();
    if (marks.length === 0) return [];
    const letters = await this.annotate(await this.letters.find({ _id: { $in: marks.map((m) => m._id) } }).toArray());
    return letters.filter((l) => l.state === 'replayed' && l.replayJob === job && l.replayBatch === batch);
  }

  /**
   * Deletes letters that were replayed and dead-lettered before `cutoff`, with their marks (the retention sweeper;
   * up to `limit`). A letter that died again after its mark is dead and stays.
   */
  async deleteReplayedBefore(cutoff: Date, limit: number): Promise<number> {
    const marks = await this.marks
      .find({ letterAt: { $lt: cutoff.toISOString() } })
      .limit(limit)
      .toArray();
    if (marks.length === 0) return 0;
    const byId = new Map(marks.map((m) => [m._id, m]));
    const letters = await this.letters.find({ _id: { $in: marks.map((m) => m._id) } }).toArray();
    const covered = letters.filter((l) => withState(l, byId.get(l._id)).state === 'replayed').map((l) => l._id);
    const { deletedCount } = covered.length
      ? await this.letters.deleteMany({ _id: { $in: covered }, deadLetteredAt: { $lt: cutoff.toISOString() } })
      : { deletedCount: 0 };
    // Every mark read here is done with: its letter was deleted, or was replaced by a newer (dead) one it no longer covers.
    await this.marks.deleteMany({ _id: { $in: marks.map((m) => m._id) } });
    return deletedCount;
  }
}
