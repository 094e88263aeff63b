import type { Server } from 'node:http';
import { ApiError, type ApiKeyRecord, authenticate, type ConfigRecord, ConfigState, configKey, hashApiKey } from '@hookline/core';
import { createMemoryEventLog } from '@hookline/kafka';
import { EndpointSecrets, Keyring } from '@hookline/secrets';
import { closeServer, createLogger, listen } from '@hookline/service';
import { type EndpointHealthView, type EndpointStatsDoc, jobOfEarlierReplay, type ReplayJobDoc, type Store } from '@hookline/store';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleConfigApi, type ConfigApi } from '../src/app.js';
import type { AdminDeps } from '../src/deps.js';
import type { ConfigAccess, RecordPublisher } from '../src/ports.js';

/** The config topic as a plain state (writes apply at once), with one tenant and a viewer and an owner key. */
function memoryConfig(): ConfigAccess {
  const state = new ConfigState();
  const at = '2026-01-01T00:00:00.000Z';
  state.apply(configKey('tenant', 'ten_1'), { kind: 'tenant', id: 'ten_1', name: 'Acme', createdAt: at, updatedAt: at });
  for (const role of ['owner', 'viewer'] as const) {
    const key: ApiKeyRecord = {
      kind: 'apiKey',
      id: `key_${role}`,
      tenantId: 'ten_1',
      name: role,
      role,
      keyHash: hashApiKey(`hk_${role}`),
      keyPrefix: 'hk_',
      createdAt: at,
      updatedAt: at,
    };
    state.apply(configKey('apiKey', key.id), key);
  }
  // Compare-and-set as `ConfigView` does it, on the plain state.
  async function write(_publisher: RecordPublisher, key: string, value: ConfigRecord | null) {
    const stored = value && { ...value, version: (value.version ?? 0) + 1 };
    if (!state.apply(key, stored)) throw new ApiError('conflict', `${key} changed meanwhile`);
    return stored;
  }
  return {
    state,
    authenticate: async (authorization) => authenticate(state, authorization),
    readFresh: async (read) => read(state),
    write: write as ConfigAccess['write'],
    update: (async (
      publisher: RecordPublisher,
      key: string,
      read: (s: ConfigState) => ConfigRecord | undefined,
      change: (c: ConfigRecord) => ConfigRecord | undefined,
    ) => {
      const current = read(state);
      const next = current && change(current);
      return next ? write(publisher, key, next) : undefined;
    }) as ConfigAccess['update'],
  };
}

const stats: EndpointStatsDoc[] = [];
/** A replay job as the previous version wrote it to `replay_jobs`. */
const earlierJob: ReplayJobDoc = {
  _id: 'rpl_earlier',
  tenantId: 'ten_1',
  endpointId: 'ep_1',
  state: 'failed',
  total: 10,
  done: 4,
  error: 'broker went away',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
};
const store = {
  tenantStats: async () => stats,
  failuresSince: async () => 0,
  endpointStats: async () => null,
  health: {
    endpoint: async (): Promise<EndpointHealthView> => ({
      circuit: {
        state: 'open',
        since: '2026-01-01T00:00:10.000Z',
        until: '2026-01-01T00:00:40.000Z',
        reason: 'the probe failed',
        history: [
          { from: 'half-open', to: 'open', at: '2026-01-01T00:00:10.000Z', reason: 'the probe failed', until: '2026-01-01T00:00:40.000Z' },
          { from: 'closed', to: 'open', at: '2026-01-01T00:00:00.000Z', reason: '4 of the last 4 attempts failed', failed: 4, attempts: 4 },
        ],
      },
      ordering: {
        blocked: true,
        blockedSince: '2026-01-01T00:00:05.000Z',
        blockedLanes: 1,
        lanes: [{ key: null, since: '2026-01-01T00:00:05.000Z' }],
      },
    }),
  },
} as unknown as Store;
const publisher: RecordPublisher = await createMemoryEventLog().publisher();
const unused = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('not used here');
    },
  },
);

function api(): ConfigApi {
  const deps: AdminDeps = {
    config: memoryConfig(),
    publisher,
    store,
    alerts: unused as never,
    incomingCalls: unused as never,
    log: unused as never,
    jobs: {
      runner: unused as never,
      store: {
        find: async (id, tenantId) => (id === earlierJob._id && tenantId === earlierJob.tenantId ? jobOfEarlierReplay(earlierJob) : null),
      },
      replay: unused as never,
      recover: unused as never,
    },
    schemaRegistry: undefined,
    topics: unused as never,
    topicPrefix: 'hl.',
    retryTiers: ['5s', '1m'],
    requireHttps: false,
    testTimeoutMs: 1_000,
    ingestPublicUrl: undefined,
    rootToken: undefined,
    webhooks: { secrets: new EndpointSecrets(Keyring.parse(Keyring.generateEntry())), ingestOrigins: [new URL('http://127.0.0.1:8100')] },
  };
  return assembleConfigApi({ ...deps, logger: createLogger('routes-test', 'silent'), metrics: new Registry(), health: {} });
}

const servers: Server[] = [];
afterAll(async () => Promise.all(servers.map((s) => closeServer(s))));

/** An answer's JSON: fields the tests read, whatever else it holds. */
interface AnswerBody {
  error: { code: string };
  id: string;
  [field: string]: unknown;
}

async function serve(config: ConfigApi) {
  const { server, port } = await listen(config.app, 0);
  servers.push(server);
  return async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer hk_${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as AnswerBody) : undefined };
  };
}

/** The answer must match what the route documents for its status. */
function conforms(config: ConfigApi, method: string, fullPath: string, answer: { status: number; body: unknown }) {
  const declared = config.routes.find((r) => r.method === method && r.fullPath === fullPath)?.responses[answer.status]?.schema;
  expect(declared, `${method} ${fullPath} ${answer.status} is documented`).toBeDefined();
  const result = declared!.safeParse(answer.body);
  expect(result.error?.issues ?? []).toEqual([]);
}

describe('admin routes answer what they document', () => {
  it('/stats before any attempt: p95 is null, and the schema says it may be', async () => {
    const config = api();
    const call = await serve(config);
    const answer = await call('GET', '/stats', 'viewer');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tenantId: 'ten_1', totalDeliveries: 0, p95ResponseTimeMs: null, successRate: null });
    conforms(config, 'get', '/api/admin/stats', answer);
  });

  it("a webhook's stats carry its circuit with history and its ordering block, as documented", async () => {
    const config = api();
    const call = await serve(config);
    const created = await call('POST', '/webhooks', 'owner', { name: 'o', url: 'http://127.0.0.1:9/hook', events: ['order.*'] });
    const answer = await call('GET', `/webhooks/${created.body!.id}/stats`, 'viewer');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      circuit: { state: 'open', history: [{ to: 'open' }, { failed: 4 }] },
      ordering: { blocked: true, blockedLanes: 1 },
    });
    conforms(config, 'get', '/api/admin/webhooks/:id/stats', answer);
  });

  it('a webhook created, read and listed matches the documented shapes; a viewer may not create one', async () => {
    const config = api();
    const call = await serve(config);
    const input = { name: 'orders', url: 'http://127.0.0.1:9/hook', events: ['order.*'] };
    expect((await call('POST', '/webhooks', 'viewer', input)).status).toBe(403);
    const created = await call('POST', '/webhooks', 'owner', input);
    expect(created.status).toBe(201);
    conforms(config, 'post', '/api/admin/webhooks', created);
    const read = await call('GET', `/webhooks/${created.body!.id}`, 'viewer');
    conforms(config, 'get', '/api/admin/webhooks/:id', read);
    expect(read.body).not.toHaveProperty('secret');
    conforms(config, 'get', '/api/admin/webhooks', await call('GET', '/webhooks', 'viewer'));
    const invalid = await call('PATCH', `/webhooks/${created.body!.id}`, 'owner', { retrySchedule: ['3h'] });
    expect([invalid.status, invalid.body?.error.code]).toEqual([422, 'validation_failed']);
    expect((await call('GET', '/webhooks/ep_missing', 'viewer')).status).toBe(404);
  });

  it('a PATCH clears an ordering key with null; a circuit breaker on strict ordering is refused at create and PATCH', async () => {
    const config = api();
    const call = await serve(config);
    const input = { name: 'orders', url: 'http://127.0.0.1:9/hook', events: ['order.*'], ordering: 'strict', orderingKey: 'data.id' };
    const refused = await call('POST', '/webhooks', 'owner', { ...input, circuitBreaker: {} });
    expect([refused.status, refused.body?.error.code]).toEqual([422, 'validation_failed']);
    const created = await call('POST', '/webhooks', 'owner', input);
    expect(created.status).toBe(201);
    const cleared = await call('PATCH', `/webhooks/${created.body!.id}`, 'owner', { orderingKey: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('orderingKey');
    conforms(config, 'patch', '/api/admin/webhooks/:id', cleared);
    const breaker = await call('PATCH', `/webhooks/${created.body!.id}`, 'owner', { circuitBreaker: { cooldownSeconds: 5 } });
    expect([breaker.status, breaker.body?.error.code]).toEqual([422, 'validation_failed']);
    const both = await call('PATCH', `/webhooks/${created.body!.id}`, 'owner', { ordering: 'none', circuitBreaker: {} });
    expect(both.status).toBe(200);
  });

  it("answers a replay job an earlier version wrote as it always did; another tenant's is not found", async () => {
    const config = api();
    const call = await serve(config);
    const answer = await call('GET', '/replays/rpl_earlier', 'viewer');
    const { _id, ...rest } = earlierJob;
    expect(answer).toEqual({ status: 200, body: { jobId: _id, ...rest } });
    conforms(config, 'get', '/api/admin/replays/:jobId', answer);
    expect((await call('GET', '/replays/rpl_missing', 'viewer')).status).toBe(404);
  });
});
