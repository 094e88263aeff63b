import { type Collection, type Filter, MongoBulkWriteError, type OptionalUnlessRequiredId } from 'mongodb';

/** MongoDB's code for an insert whose `_id` (or unique key) is stored already. */
export const DUPLICATE_KEY = 11000;

/** An insert refused a duplicate `_id` that a read then did not find (a server that contradicts itself). */
export class DuplicateNotFoundError extends Error {
  constructor(collection: string) {
    super(`an insert into ${collection} was refused for a duplicate key, yet none of its documents is stored`);
    this.name = 'DuplicateNotFoundError';
  }
}

/**
 * True when a bulk write failed only because some of its documents' `_id`s are stored already. A bulk error with
 * no write errors at all is not that: the driver reports a connection lost in the middle of a bulk write (a server
 * restarting) that way, and then nothing says what was written.
 */
export function onlyDuplicateKeys(error: unknown): error is MongoBulkWriteError {
  if (!(error instanceof MongoBulkWriteError)) return false;
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
}

/**
 * Inserts the documents that are not stored yet (by `_id`) and returns the ids of those found stored: stored
 * before, or by this call before a duplicate stopped it. A caller that must tell "new" from "seen again" treats
 * the second kind as seen again, which a writer of its own documents may (the copy stored is its own).
 *
 * On duplicates the ids are read back, not taken from the write errors' indexes (FerretDB 1 reports wrong ones
 * for some bulk writes and stops some at their first error whatever `ordered` says), and the missing documents are
 * inserted again, until an insert goes through. Every other failure throws, also a connection lost mid-insert:
 * taking that for "all stored" lost the batch's attempts from the log while the counters counted them.
 */
export async function insertOnce<T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<Set<string>> {
  const stored = new Set<string>();
  let missing = docs;
  while (missing.length > 0) {
    try {
      await collection.insertMany(missing as OptionalUnlessRequiredId<T>[], { ordered: false });
      return stored;
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
    const ids = missing.map((doc) => doc._id);
    const found = await collection.find({ _id: { $in: ids } } as Filter<T>, { projection: { _id: 1 } }).toArray();
    for (const doc of found) stored.add(doc._id as string);
    // A duplicate means at least one of them is stored: each round inserts fewer, so this ends.
    const next = missing.filter((doc) => !stored.has(doc._id));
    if (next.length === missing.length) throw new DuplicateNotFoundError(collection.collectionName);
    missing = next;
  }
  return stored;
}
