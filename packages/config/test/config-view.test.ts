import { type ApiKeyRecord, ConfigState, configRecord, generateApiKey, hashApiKey, type TenantRecord } from '@hookline/core';
import type { LogRecord } from '@hookline/kafka';
import { createMemoryEventLog, type MemoryEventLog } from '@hookline/kafka';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigView, StaleConfigWrite } from '../src/index.js';

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

  /** The config topic as compaction leaves it (the newest record of each key), folded by a new reader. */
  async function foldCompacted(): Promise<ConfigState> {
    const records: LogRecord[] = [];
    const raw = log.view('config', (record) => records.push(record));
    await raw.start();
    await raw.stop();
    const newest = new Map(records.map((r) => [r.key ?? '', r]));
    const state = new ConfigState();
    for (const [key, r] of newest) state.apply(key, r.value === null ? null : configRecord.parse(JSON.parse(r.value.toString())));
    return state;
  }

  it('two processes writing from the same version: the first wins everywhere, the second learns it lost', async () => {
    const other = new ConfigView(log, 'config', logger);
    await Promise.all([view.start(), other.start()]);
    const publisher = await log.publisher();
    const created = await view.write(publisher, 'tenant:tn_1', tenant);
    expect(created.version).toBe(1);
    await other.catchUp();
    const [mine, theirs] = await Promise.allSettled([
      view.write(publisher, 'tenant:tn_1', { ...created, name: 'mine' }),
      other.write(publisher, 'tenant:tn_1', { ...other.state.tenants.get('tn_1')!, name: 'theirs' }),
    ]);
    const outcomes = [mine.status, theirs.status].sort();
    expect(outcomes).toEqual(['fulfilled', 'rejected']);
    const lost = [mine, theirs].find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(StaleConfigWrite);
    expect(lost.reason).toMatchObject({ code: 'conflict', status: 409 });
    const won = ([mine, theirs].find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<TenantRecord>).value;
    await Promise.all([view.catchUp(), other.catchUp()]);
    expect(view.state.tenants.get('tn_1')?.name).toBe(won.name);
    expect(other.state.tenants.get('tn_1')?.name).toBe(won.name);
    // The lost record is not left as the newest of its key: a reader after compaction agrees too.
    expect((await foldCompacted()).tenants.get('tn_1')?.name).toBe(won.name);
    await other.stop();
  });

  it('update applies the change again onto the fresh record, so concurrent changes of different fields all stay', async () => {
    const other = new ConfigView(log, 'config', logger);
    await Promise.all([view.start(), other.start()]);
    const publisher = await log.publisher();
    await view.write(publisher, 'apiKey:key_1', apiKey(generateApiKey()));
    await other.catchUp();
    const read = (state: ConfigState) => state.apiKeyById('key_1');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? view : other).update(publisher, 'apiKey:key_1', read, (current) => ({ ...current, name: `${current.name}+${i}` })),
      ),
    );
    await Promise.all([view.catchUp(), other.catchUp()]);
    const name = view.state.apiKeyById('key_1')!.name;
    expect(name.split('+').slice(1).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(other.state.apiKeyById('key_1')!.name).toBe(name);
    expect(view.state.apiKeyById('key_1')!.version).toBe(11);
    expect((await foldCompacted()).apiKeyById('key_1')?.name).toBe(name);
    // Nothing to change, or nothing there: nothing written.
    expect(await view.update(publisher, 'apiKey:key_1', read, () => undefined)).toBeUndefined();
    expect(
      await view.update(
        publisher,
        'apiKey:key_2',
        (state) => state.apiKeyById('key_2'),
        (c) => c,
      ),
    ).toBeUndefined();
    await other.stop();
  });

  it('an edit racing a delete does not bring the record back, for live readers or after compaction', async () => {
    await view.start();
    const publisher = await log.publisher();
    const created = await view.write(publisher, 'tenant:tn_1', tenant);
    await view.write(publisher, 'tenant:tn_1', null);
    await expect(view.write(publisher, 'tenant:tn_1', { ...created, name: 'stale edit' })).rejects.toBeInstanceOf(StaleConfigWrite);
    expect(view.state.tenants.has('tn_1')).toBe(false);
    expect((await foldCompacted()).tenants.has('tn_1')).toBe(false);
  });
});
