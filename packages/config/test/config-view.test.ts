import { type ApiKeyRecord, generateApiKey, hashApiKey, type TenantRecord } from '@hookline/core';
import { createMemoryEventLog, type MemoryEventLog } from '@hookline/kafka';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigView } from '../src/index.js';

const at = '2026-12-01T00:00:00.000Z';
const tenant: TenantRecord = { kind: 'tenant', id: 'tn_1', name: 'Acme', createdAt: at, updatedAt: at };
function apiKey(key: string): ApiKeyRecord {
  return {
    kind: 'apiKey',
    id: 'key_1',
    tenantId: 'tn_1',
    name: 'ci',
    role: 'admin',
    keyHash: hashApiKey(key),
    keyPrefix: key.slice(0, 8),
    createdAt: at,
    updatedAt: at,
  };
}

describe('ConfigView on the memory log', () => {
  let log: MemoryEventLog;
  let view: ConfigView;
  const logger = pino({ level: 'silent' });
  beforeEach(async () => {
    log = createMemoryEventLog();
    await log.ensureTopics([{ topic: 'config', numPartitions: 1 }]);
    view = new ConfigView(log, 'config', logger);
  });
  afterEach(() => log.close());

  it('folds what was written before start, and reads its own writes at once', async () => {
    const elsewhere = await log.publisher();
    await elsewhere.append('config', { key: 'tenant:tn_1', value: JSON.stringify(tenant) });
    await view.start();
    expect(view.state.tenants.get('tn_1')?.name).toBe('Acme');

    const publisher = await log.publisher();
    await view.write(publisher, 'tenant:tn_1', { ...tenant, name: 'Acme 2' });
    expect(view.state.tenants.get('tn_1')?.name).toBe('Acme 2');
    await view.write(publisher, 'tenant:tn_1', null);
    expect(view.state.tenants.has('tn_1')).toBe(false);
    expect(await view.health()).toEqual({ status: 'ok' });
  });

  it('readFresh catches up once when the entity is not there yet', async () => {
    await view.start();
    const elsewhere = await log.publisher();
    await elsewhere.append('config', { key: 'tenant:tn_1', value: JSON.stringify(tenant) });
    expect(view.state.tenants.has('tn_1')).toBe(false); // the view has not read it yet
    expect(await view.readFresh((state) => state.tenants.get('tn_1'))).toMatchObject({ id: 'tn_1' });
    expect(await view.readFresh((state) => state.tenants.get('tn_missing'))).toBeUndefined();
  });

  it('authenticates a key written a moment ago by another service, and still refuses unknown keys', async () => {
    await view.start();
    const key = generateApiKey();
    const elsewhere = await log.publisher();
    await elsewhere.publish([
      {
        topic: 'config',
        records: [
          { key: 'tenant:tn_1', value: JSON.stringify(tenant) },
          { key: 'apiKey:key_1', value: JSON.stringify(apiKey(key)) },
        ],
      },
    ]);
    expect(await view.authenticate(`Bearer ${key}`)).toMatchObject({ id: 'key_1', role: 'admin' });
    await expect(view.authenticate(`Bearer ${generateApiKey()}`)).rejects.toThrow('unknown API key');
    await expect(view.authenticate(undefined)).rejects.toThrow('missing bearer API key');
  });

  it('skips a record it cannot read and goes on with the next', async () => {
    const elsewhere = await log.publisher();
    await elsewhere.publish([
      {
        topic: 'config',
        records: [
          { key: 'tenant:tn_bad', value: '{not json' },
          { key: 'tenant:tn_1', value: JSON.stringify(tenant) },
        ],
      },
    ]);
    await view.start();
    expect([...view.state.tenants.keys()]).toEqual(['tn_1']);
  });
});
