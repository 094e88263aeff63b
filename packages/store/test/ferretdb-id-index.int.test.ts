import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The read models' writes find their documents by `_id` (a guarded replace: `{_id, through: {$lte}}`; a batch read:
 * `{_id: {$in}}`). FerretDB 1.24 scanned the whole collection for every one of them until our patch
 * (infra/patches/ferretdb-v1.24.2.patch): the projector's stats and chart writes slowed down as their collections
 * grew. This checks the plan SQLite uses, on FerretDB only (MongoDB has always used its `_id` index).
 */
let client: MongoClient;
const dbName = `ferret_index_${Date.now().toString(36)}`;
beforeAll(async () => {
  client = await MongoClient.connect(inject('infra').mongoUrl, { retryWrites: false });
});
afterAll(async () => {
  await client?.db(dbName).dropDatabase();
  await client?.close();
});

interface FerretExplain {
  serverInfo?: { ferretdbVersion?: string };
  filterPushdown?: boolean;
  queryPlanner?: { Plan?: string[] };
}

describe('lookups by _id on the MongoDB-wire server', () => {
  it.each([
    ['a guarded replace', { _id: 'ep_7|p0', through: { $lte: 12 } }],
    ['a batch read', { _id: { $in: ['ep_7|p0', 'ep_8|p0'] } }],
    ['a plain find', { _id: 'ep_7|p0' }],
  ])('use the _id index for %s, whatever else the filter says', async (what, filter) => {
    const collection = client.db(dbName).collection<{ _id: string; through: number }>(`shares_${what.replaceAll(' ', '_')}`);
    await collection.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `ep_${i}|p0`, through: i })));
    const explained = (await collection.find(filter as object).explain()) as FerretExplain;
    if (!explained.serverInfo?.ferretdbVersion) return; // MongoDB
    expect(explained.filterPushdown).toBe(true);
    expect(explained.queryPlanner?.Plan?.join('\n')).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
  });
});
