import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from '../src/store.js';

/**
 * On FerretDB 1 a secondary index is never read (only `_id` lookups are pushed down) but is maintained on every
 * write, so the read models keep none there, and drop the ones an earlier version created. On MongoDB they are
 * created as declared.
 */
let client: MongoClient;
const dbName = `secondary_${Date.now().toString(36)}`;
beforeAll(async () => {
  client = await MongoClient.connect(inject('infra').mongoUrl, { retryWrites: false });
});
afterAll(async () => {
  await client?.db(dbName).dropDatabase();
  await client?.close();
});

const indexKeys = async (collection: string) =>
  (await client.db(dbName).collection(collection).listIndexes().toArray()).map((index) => JSON.stringify(index.key)).sort();

describe('secondary indexes of the read models', () => {
  it('exist only where the server reads them; ones an earlier version made are dropped on FerretDB 1', async () => {
    const attempts = client.db(dbName).collection('attempts');
    // What the previous version created on the attempt log.
    await attempts.createIndex({ endpointId: 1, startedAt: -1 });
    await attempts.createIndex({ tenantId: 1, recordedAt: 1 });
    const info = await client.db(dbName).admin().command({ buildInfo: 1 });
    const ferretdb1 = typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion);

    const store = await Store.connect(inject('infra').mongoUrl, dbName);
    try {
      await store.attempts.insertOne({ _id: 'att_1', endpointId: 'ep_1', tenantId: 't_1', startedAt: '2026-12-01T00:00:00.000Z' } as never);
      const onAttempts = await indexKeys('attempts');
      const onStats = await indexKeys('endpoint_stats').catch(() => ['{"_id":1}']);
      if (ferretdb1) {
        expect(onAttempts).toEqual(['{"_id":1}']);
        expect(onStats).toEqual(['{"_id":1}']);
      } else {
        expect(onAttempts).toEqual(
          expect.arrayContaining(['{"endpointId":1,"startedAt":-1}', '{"deliveryId":1,"attempt":1}', '{"tenantId":1,"recordedAt":1}']),
        );
        expect(onStats).toContain('{"tenantId":1}');
      }
      // Reads that used those indexes still answer (FerretDB scans).
      expect((await store.recentAttempts('ep_1', 10)).map((a) => a._id)).toEqual(['att_1']);
    } finally {
      await store.close();
    }
  });
});
