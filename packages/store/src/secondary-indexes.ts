import { type Collection, type CreateIndexesOptions, type Db, type Document, MongoServerError } from 'mongodb';

/** NamespaceNotFound (listIndexes on a collection not created yet), IndexNotFound (dropped meanwhile). */
const absentCodes = new Set([26, 27]);

/**
 * The indexes besides `_id` that the read models declare, kept only where the server reads them.
 *
 * FerretDB 1.x (SQLite backend) answers a query from an index only for `_id` (its filter pushdown); every other
 * filter scans the collection. Yet it maintains each index on every write, evaluating `json_extract` of each
 * indexed field over the stored document: under `pnpm bench` the attempt log's five secondary indexes made
 * inserting attempts the largest part of FerretDB's CPU, for queries that scan anyway. So on FerretDB 1.x these
 * indexes are not created, and ones an earlier version created are dropped; on MongoDB (and on FerretDB 2, which
 * plans with them) they are created as declared.
 */
export class SecondaryIndexes {
  private used: Promise<boolean> | undefined;

  constructor(private readonly db: Db) {}

  /** Creates the index where the server would read it; elsewhere drops it if an earlier version created it. */
  async ensure<T extends Document>(
    collection: Collection<T>,
    keys: Record<string, 1 | -1>,
    options: CreateIndexesOptions = {},
  ): Promise<void> {
    if (await this.serverUsesThem()) await collection.createIndex(keys, options);
    else await this.drop(collection, keys);
  }

  /** Drops the index on `keys` if an earlier version created it (on any server). */
  async drop<T extends Document>(collection: Collection<T>, keys: Record<string, 1 | -1>): Promise<void> {
    const wanted = JSON.stringify(keys);
    for (const index of await listIndexes(collection)) {
      if (JSON.stringify(index.key) !== wanted) continue;
      try {
        await collection.dropIndex(index.name as string);
      } catch (error) {
        if (!(error instanceof MongoServerError && absentCodes.has(Number(error.code)))) throw error;
      }
    }
  }

  /** False on FerretDB 1.x (its `buildInfo` names its own version beside the MongoDB one it emulates). */
  serverUsesThem(): Promise<boolean> {
    this.used ??= this.db
      .admin()
      .command({ buildInfo: 1 })
      .then((info) => !(typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion)));
    return this.used;
  }
}

async function listIndexes<T extends Document>(collection: Collection<T>): Promise<Document[]> {
  try {
    return await collection.listIndexes().toArray();
  } catch (error) {
    if (error instanceof MongoServerError && absentCodes.has(Number(error.code))) return [];
    throw error;
  }
}
