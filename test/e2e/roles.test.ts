import { Hookline, requestJson, TestTenant } from '@hookline/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/** Each role × each admin operation → allowed or 403; another tenant's resources → 404. */
let hookline: Hookline;
let tenant: TestTenant;
let other: TestTenant;
const keys: Record<string, string> = {};

beforeAll(async () => {
  hookline = await Hookline.start({ infra: inject('infra') });
  [tenant, other] = await Promise.all([TestTenant.create(hookline, 'A'), TestTenant.create(hookline, 'B')]);
  keys.owner = tenant.apiKey;
  for (const role of ['admin', 'member', 'viewer']) {
    const created = await tenant.admin('POST', '/api-keys', { name: role, role });
    expect(created.status).toBe(201);
    keys[role] = created.body.key;
  }
});
afterAll(async () => {
  await hookline?.stop();
});

const call = (role: string, method: string, path: string, body?: unknown) =>
  requestJson(method, `${hookline.configApiUrl}/api/admin${path}`, { token: keys[role], ...(body === undefined ? {} : { body }) });

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
];
const configureRoles = new Set(['owner', 'admin']);
const readOnly = new Set(['list webhooks', 'read a webhook', 'read stats']);

describe('role matrix', () => {
  for (const op of operations) {
    for (const role of ['owner', 'admin', 'member', 'viewer']) {
      const allowed = configureRoles.has(role) || readOnly.has(op.name);
      it(`${role} ${allowed ? 'may' : 'may not'} ${op.name}`, async () => {
        const response = await op.run(role);
        expect(response.status).toBe(allowed ? op.ok : 403);
      });
    }
  }

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
