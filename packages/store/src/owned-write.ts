import { type Collection, type Filter, MongoServerError, type WithoutId } from 'mongodb';
import { DUPLICATE_KEY, onlyDuplicateKeys } from './insert-once.js';

/**
 * A read-model document with one writer: the projector instance that owns partition `partition` of `attempts`.
 * It holds absolute values (never `$inc`: FerretDB v1 applies updates as read-modify-write, so two concurrent
 * `$inc`s on one document lose one) and `through`, the highest offset of its partition folded into it.
 */
export interface OwnedDoc {
  _id: string;
  partition: number;
  through: number;
}

/**
 * Guarded replaces per bulk write. FerretDB 1.24 (SQLite) never answers a bulk write of 100 guarded replace-upserts
 * that match existing documents (60 answer in ~130 ms): a projector batch touching 100+ endpoints hung there, was
 * evicted from its group and folded nothing more. Chunks of 50 keep every call well under that.
 */
const bulkChunk = 50;

/** The `_id` suffix that makes a document one partition's share of a key (`ep_1|p3`). */
export const partitionSuffix = (partition: number) => `|p${partition}`;

/**
 * Writes each document only where the stored copy is not ahead of it (`through` not higher; at the same `through`
 * the fold is the same, so rewriting it changes nothing), creating it when absent.
 * The owner reads, folds and writes; a batch that comes again (a crash before the commit, a rebalance) is
 * skipped by `through`, and a late write of a former owner that lost the partition in a rebalance finds the new
 * owner's copy ahead and is refused (the upsert then collides on `_id`, which is the refusal). Returns the ids of
 * the documents refused.
 */
export async function writeAhead<T extends OwnedDoc>(collection: Collection<T>, docs: T[]): Promise<Set<string>> {
  const refused = new Set<string>();
  if (docs.length === 0) return refused;
  const guard = (doc: T) => ({ _id: doc._id, through: { $lte: doc.through } }) as Filter<T>;
  const body = ({ _id, ...rest }: T) => rest as unknown as WithoutId<T>;
  let at = 0;
  try {
    for (; at < docs.length; at += bulkChunk) {
      await collection.bulkWrite(
        docs.slice(at, at + bulkChunk).map((doc) => ({ replaceOne: { filter: guard(doc), replacement: body(doc), upsert: true } })),
        { ordered: true },
      );
    }
    return refused;
  } catch (error) {
    if (!onlyDuplicateKeys(error)) throw error;
  }
  // A copy was ahead. FerretDB stops a bulk write at its first error whatever `ordered` says (and reports the
  // wrong index), so the rest of that chunk and the chunks after it go one by one (the ones before were written).
  for (const doc of docs.slice(at)) {
    try {
      await collection.replaceOne(guard(doc), body(doc), { upsert: true });
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      refused.add(doc._id);
    }
  }
  return refused;
}
