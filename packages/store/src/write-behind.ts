import type { Collection, Filter } from 'mongodb';
import { type OwnedDoc, writeAhead } from './owned-write.js';

/**
 * One writer's folds of a collection of `OwnedDoc`s, kept in memory until `flush`: a fold reads the copy staged
 * here before the stored one, so consecutive batches of a partition fold into one copy that is written once.
 * Under load that turns a write per document per batch into a write per document per flush (on FerretDB 1 each
 * is a read, an update and a commit). Only the owner of a partition stages its documents; what it staged for a
 * partition it lost is dropped (`drop`), never written over the new owner's copy by a fold of a stale base.
 */
export class WriteBehind<T extends OwnedDoc> {
  private readonly staged = new Map<string, T>();

  constructor(private readonly collection: Collection<T>) {}

  /** The documents with these ids: the staged copy where there is one, the stored one otherwise. */
  async read(ids: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const id of ids) {
      const staged = this.staged.get(id);
      if (staged) found.set(id, staged);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const stored = await this.collection.find({ _id: { $in: missing } } as Filter<T>).toArray();
      for (const doc of stored) found.set(doc._id, doc as T);
    }
    return found;
  }

  stage(docs: T[]): void {
    for (const doc of docs) this.staged.set(doc._id, doc);
  }

  /** How many documents of `partition` wait to be written. */
  stagedOf(partition: number): number {
    let count = 0;
    for (const doc of this.staged.values()) if (doc.partition === partition) count++;
    return count;
  }

  /**
   * Writes what is staged for `partition` (see `writeAhead`) and returns the ids refused. A copy staged again
   * while the write was on its way stays staged for the next flush; a failed write leaves everything staged.
   */
  async flush(partition: number): Promise<Set<string>> {
    const docs = [...this.staged.values()].filter((doc) => doc.partition === partition);
    const refused = await writeAhead(this.collection, docs);
    for (const doc of docs) if (this.staged.get(doc._id) === doc) this.staged.delete(doc._id);
    return refused;
  }

  /** Forgets what is staged for `partition` (it moved to another owner, which folds it again from the store). */
  drop(partition: number): void {
    for (const [id, doc] of this.staged) if (doc.partition === partition) this.staged.delete(id);
  }
}
