import { configKey, generateApiKey, hashApiKey } from '@hookline/core';
import { createKafkaEventLog } from '@hookline/kafka';
import { Hookline, requestJson, TestTenant } from '@hookline/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropNamespace } from './support/namespace-cleanup.js';

/** Each role × each admin and ingest operation → allowed or 403; another tenant's resources → 404. */
let hookline: Hookline;
let tenant: TestTenant;
let other: TestTenant;
const keys: Record<string, string> = {};
const roles = ['owner', 'admin', 'publisher', 'member', 'viewer'];

/**
 * A `member` key as the previous version wrote it (new keys cannot be members any more): the record appended to
 * the `config` topic directly, in the shape of the records already on it.
 */
async function writeLegacyMemberKey(): Promise<string> {
  const key = generateApiKey();
  const at = new Date().toISOString();
  const id = `key_legacy${Date.now().toString(36)}`;
  const record = {
    kind: 'apiKey',
    id,
    tenantId: tenant.id,
    name: 'old member',
    role: 'member',
    keyHash: hashApiKey(key),
    keyPrefix: key.slice(0, 7),
    createdAt: at,
    updatedAt: at,
  };
  const log = createKafkaEventLog({
    brokers: inject('infra').kafkaBrokers.split(','),
    clientId: 'roles-test',
    logger: pino({ level: 'silent' }),
  });
  try {
    const publisher = await log.publisher();
    await publisher.append(`${hookline.namespace}.config`, { key: configKey('apiKey', id), value: JSON.stringify(record) });
  } finally {
    await log.close();
  }
  return key;
}

beforeAll(async () => {
  hookline = await Hookline.start({ infra: inject('infra') });
  [tenant, other] = await Promise.all([TestTenant.create(hookline, 'A'), TestTenant.create(hookline, 'B')]);
  keys.owner = tenant.apiKey;
  for (const role of ['admin', 'publisher', 'viewer']) {
    const created = await tenant.admin('POST', '/api-keys', { name: role, role });
    expect(created.status).toBe(201);
    keys[role] = created.body.key;
  }
  keys.member = await writeLegacyMemberKey();
  // The catalog is open (no event types declared), so any type may be published.
});
afterAll(async () => {
  await hookline?.stop();
  if (hookline) await dropNamespace(inject('infra'), hookline.namespace);
});

const call = (role: string, method: string, path: string, body?: unknown) =>
  requestJson(method, `${hookline.configApiUrl}/api/admin${path}`, { token: keys[role], ...(body === undefined ? {} : { body }) });
const ingest = (role: string, path: string, body: unknown) =>
  requestJson('POST', `${hookline.ingestUrl}${path}`, { token: keys[role], body });

const newEndpoint = async () => (await tenant.createEndpoint({ url: 'http://127.0.0.2/hook', events: ['a.*'] })).id;

type Operation = { name: string; run: (role: string) => Promise<{ status: number }>; ok: number };
const operations: Operation[] = [
  { name: 'list webhooks', ok: 200, run: (r) => call(r, 'GET', '/webhooks') },
  { name: 'read a webhook', ok: 200, run: async (r) => call(r, 'GET', `/webhooks/${await newEndpoint()}`) },
  { name: 'read stats', ok: 200, run: async (r) => call(r, 'GET', `/webhooks/${await newEndpoint()}/stats`) },
  {
    name: 'create a webhook',
    ok: 201,
    run: (r) => call(r, 'POST', '/webhooks', { name: 'x', url: 'http://127.0.0.2/h', events: ['a.b'] }),
  },
  { name: 'update a webhook', ok: 200, run: async (r) => call(r, 'PATCH', `/webhooks/${await newEndpoint()}`, { name: 'renamed' }) },
  { name: 'rotate a secret', ok: 200, run: async (r) => call(r, 'POST', `/webhooks/${await newEndpoint()}/secret/rotate`, {}) },
  { name: 'delete a webhook', ok: 204, run: async (r) => call(r, 'DELETE', `/webhooks/${await newEndpoint()}`) },
  { name: 'list API keys', ok: 200, run: (r) => call(r, 'GET', '/api-keys') },
  { name: 'create an API key', ok: 201, run: (r) => call(r, 'POST', '/api-keys', { name: 'k', role: 'viewer' }) },
  { name: 'publish an event', ok: 202, run: (r) => ingest(r, '/v1/events', { type: 'a.b', data: { n: 1 } }) },
  { name: 'publish a batch', ok: 202, run: (r) => ingest(r, '/v1/events/batch', { events: [{ type: 'a.b', data: { n: 2 } }] }) },
];
const allowedRoles: Record<string, Set<string>> = {
  read: new Set(roles),
  configure: new Set(['owner', 'admin']),
  publish: new Set(['owner', 'admin', 'publisher']),
};
const needs = (op: string) =>
  ['list webhooks', 'read a webhook', 'read stats', 'list API keys'].includes(op)
    ? 'read'
    : op.startsWith('publish')
      ? 'publish'
      : 'configure';

describe('role matrix', () => {
  for (const op of operations) {
    for (const role of roles) {
      const allowed = allowedRoles[needs(op.name)]!.has(role);
      it(`${role} ${allowed ? 'may' : 'may not'} ${op.name}`, async () => {
        const response = await op.run(role);
        expect(response.status).toBe(allowed ? op.ok : 403);
      });
    }
  }

  it('a refusal names what was refused: publishing for a viewer, changing configuration for a publisher', async () => {
    const publish = await ingest('viewer', '/v1/events', { type: 'a.b', data: {} });
    expect(publish.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^role viewer may not publish events/) });
    const createKey = await call('publisher', 'POST', '/api-keys', { name: 'k', role: 'viewer' });
    expect(createKey.body.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/^role publisher may not change configuration/),
    });
  });

  it('a viewer lists the keys by id, name, role and prefix, never a key or its hash', async () => {
    const listed = await call('viewer', 'GET', '/api-keys');
    expect(listed.status).toBe(200);
    expect([...new Set(listed.body.data.map((k: { role: string }) => k.role))].sort()).toEqual([...roles].sort());
    for (const entry of listed.body.data) {
      // `version` is the record's compare-and-set version (absent on keys written by the tenant's creation).
      expect(
        Object.keys(entry)
          .filter((k) => k !== 'version')
          .sort(),
      ).toEqual(['createdAt', 'id', 'keyPrefix', 'name', 'role', 'tenantId', 'updatedAt']);
    }
    const text = JSON.stringify(listed.body);
    for (const key of Object.values(keys)) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hashApiKey(key));
    }
  });

  it('new keys cannot be members (the old read-only role); /me says what each role may do', async () => {
    const member = await call('owner', 'POST', '/api-keys', { name: 'm', role: 'member' });
    expect(member.status).toBe(422);
    expect((await call('member', 'GET', '/me')).body).toMatchObject({ role: 'member', permissions: [] });
    expect((await call('publisher', 'GET', '/me')).body).toMatchObject({ role: 'publisher', permissions: ['publish'] });
  });

  it('only an owner mints owner keys', async () => {
    expect((await call('admin', 'POST', '/api-keys', { name: 'o', role: 'owner' })).status).toBe(403);
    expect((await call('owner', 'POST', '/api-keys', { name: 'o', role: 'owner' })).status).toBe(201);
  });

  it('a revoked key stops working at once', async () => {
    const created = await call('owner', 'POST', '/api-keys', { name: 'temp', role: 'viewer' });
    const token = created.body.key;
    expect((await requestJson('GET', `${hookline.configApiUrl}/api/admin/webhooks`, { token })).status).toBe(200);
    expect((await call('owner', 'DELETE', `/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await requestJson('GET', `${hookline.configApiUrl}/api/admin/webhooks`, { token })).status).toBe(401);
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's webhook, whatever the operation, and never lists it", async () => {
    const id = await newEndpoint();
    for (const [method, path, body] of [
      ['GET', `/webhooks/${id}`],
      ['GET', `/webhooks/${id}/stats`],
      ['PATCH', `/webhooks/${id}`, { name: 'stolen' }],
      ['POST', `/webhooks/${id}/secret/rotate`, {}],
      ['DELETE', `/webhooks/${id}`],
    ] as [string, string, unknown?][]) {
      const response = await other.admin(method, path, body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    const listed = await other.admin('GET', '/webhooks');
    expect(listed.body.data.map((e: { id: string }) => e.id)).not.toContain(id);
    const ownKeys = await other.admin('GET', '/api-keys');
    expect(ownKeys.body.data.every((k: { tenantId: string }) => k.tenantId === other.id)).toBe(true);
    const stillThere = await tenant.admin('GET', `/webhooks/${id}`);
    expect(stillThere.body.name).toBe('endpoint');
  });
});
