import type { Server } from 'node:http';
import { ApiError } from '@hookline/core';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AccessRules,
  appRoutes,
  closeServer,
  createHttpApp,
  createLogger,
  errorHandler,
  jsonBody,
  listen,
  mountRoutes,
  notFoundHandler,
  routeDeclarer,
  routesDocument,
  undocumentedRoutes,
} from '../src/index.js';

interface Caller {
  tenant: string;
  role: 'owner' | 'viewer';
}
interface Types {
  caller: Caller;
  owned: { thing: { id: string; tenant: string } };
}

const keys: Record<string, Caller> = {
  owner: { tenant: 't1', role: 'owner' },
  viewer: { tenant: 't1', role: 'viewer' },
  other: { tenant: 't2', role: 'owner' },
};
const things = new Map([['th_1', { id: 'th_1', tenant: 't1' }]]);
const seen: string[] = [];

const access: AccessRules<Types> = {
  async apiKey(req) {
    seen.push('auth');
    const caller = keys[/^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''];
    if (!caller) throw new ApiError('unauthorized', 'who are you');
    return caller;
  },
  async operator(req) {
    if (req.headers.authorization !== 'Bearer root') throw new ApiError('unauthorized', 'operator token required');
  },
  configure(caller) {
    seen.push('role');
    if (caller.role !== 'owner') throw new ApiError('forbidden', 'owners only');
  },
  owners: {
    async thing(caller, id) {
      seen.push('owns');
      const thing = things.get(id);
      if (!thing || thing.tenant !== caller.tenant) throw new ApiError('not_found', 'no such thing');
      return thing;
    },
  },
};

const route = routeDeclarer<Types>();
const routes = [
  route({
    method: 'patch',
    path: '/things/:id',
    summary: 'Change a thing',
    tags: ['things'],
    auth: 'apiKey',
    owns: 'thing',
    role: 'configure',
    query: z.object({ dryRun: z.enum(['yes', 'no']).default('no') }),
    headers: z.object({ 'x-request-note': z.string().max(20).optional() }),
    body: z.object({ name: z.string().min(1) }),
    responses: {
      200: { description: 'The thing', schema: z.object({ id: z.string(), name: z.string(), dryRun: z.boolean(), by: z.string() }) },
    },
    async handler({ owned, body, query, caller, headers }) {
      seen.push('handler');
      return {
        status: 200,
        body: { id: owned.id, name: body.name, dryRun: query.dryRun === 'yes', by: headers['x-request-note'] ?? caller.tenant },
      };
    },
  }),
  route({
    method: 'post',
    path: '/things/:id/poke',
    summary: 'Poke a thing (no body needed)',
    tags: ['things'],
    auth: 'apiKey',
    owns: 'thing',
    body: z.object({ times: z.number().int().default(1) }),
    bodyOptional: true,
    responses: { 204: { description: 'Poked' } },
    errors: ['conflict'],
    async handler({ body }) {
      if (body.times > 3) throw new ApiError('conflict', 'too many pokes');
      return { status: 204 };
    },
  }),
  route({
    method: 'post',
    path: '/tenants',
    summary: 'Operator only',
    tags: ['tenants'],
    auth: 'operator',
    responses: { 201: { description: 'Made', schema: z.object({ ok: z.literal(true) }) } },
    async handler() {
      return { status: 201, body: { ok: true } };
    },
  }),
  route({
    method: 'get',
    path: '/challenge/:token',
    summary: 'Anyone (the token is the credential): answers the challenge as text',
    tags: ['incoming'],
    auth: 'none',
    query: z.object({ challenge: z.string().max(64) }),
    responses: { 200: { description: 'The challenge', schema: z.string(), contentType: 'text/plain' } },
    async handler({ query }) {
      return { status: 200, body: query.challenge };
    },
  }),
];

const logger = createLogger('contract-test', 'silent');
const app = createHttpApp({ logger, metrics: new Registry() });
app.use('/v1', ...jsonBody('16kb'));
const mounted = mountRoutes(app, '/v1', routes, access);
app.use(notFoundHandler());
app.use(errorHandler(logger));
let server: Server | undefined;

/** An answer's JSON: fields the tests read, whatever else it holds. */
interface AnswerBody {
  error: { code: string };
  id: string;
  [field: string]: unknown;
}

async function call(method: string, path: string, key: string | undefined, body?: unknown) {
  if (!server) server = (await listen(app, 0)).server;
  const port = (server.address() as { port: number }).port;
  seen.length = 0;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as AnswerBody) : undefined, steps: [...seen] };
}

afterAll(async () => {
  if (server) await closeServer(server);
});

describe('routes declared once', () => {
  it('run authenticate, ownership and role as middleware before the handler gets typed, validated input', async () => {
    const ok = await call('PATCH', '/v1/things/th_1?dryRun=yes', 'owner', { name: 'new' });
    expect(ok).toEqual({
      status: 200,
      body: { id: 'th_1', name: 'new', dryRun: true, by: 't1' },
      steps: ['auth', 'owns', 'role', 'handler'],
    });
  });

  it('answer the first refusal: unauthorized, then not found (another tenant), then forbidden, then invalid input', async () => {
    expect((await call('PATCH', '/v1/things/th_1', undefined, { name: 'x' })).body?.error.code).toBe('unauthorized');
    const other = await call('PATCH', '/v1/things/th_1', 'other', { name: 'x' });
    expect([other.status, other.steps]).toEqual([404, ['auth', 'owns']]);
    const viewer = await call('PATCH', '/v1/things/th_1', 'viewer', { name: '' });
    expect([viewer.status, viewer.steps]).toEqual([403, ['auth', 'owns', 'role']]);
    const invalid = await call('PATCH', '/v1/things/th_1?dryRun=maybe', 'owner', { name: '' });
    expect(invalid.status).toBe(422);
    expect(invalid.body?.error.code).toBe('validation_failed');
    expect(invalid.steps).not.toContain('handler');
  });

  it('read a missing optional body as {}, answer 204 without a body, and pass handler errors through', async () => {
    expect((await call('POST', '/v1/things/th_1/poke', 'viewer')).status).toBe(204);
    expect((await call('POST', '/v1/things/th_1/poke', 'viewer', { times: 5 })).body?.error.code).toBe('conflict');
  });

  it('check the operator token for operator routes', async () => {
    expect((await call('POST', '/v1/tenants', 'owner')).status).toBe(401);
    expect((await call('POST', '/v1/tenants', 'root')).status).toBe(201);
  });

  it('answer text when the response says so, for routes anyone may call', async () => {
    if (!server) server = (await listen(app, 0)).server;
    const response = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1/challenge/tok?challenge=abc`);
    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'abc',
    ]);
  });

  it('generate the document from what was mounted, with the errors each declaration implies', () => {
    const doc = routesDocument({ title: 'test', routes: mounted });
    const patch = doc.paths?.['/v1/things/{id}']?.patch;
    expect(Object.keys(patch?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404', '413', '415', '422', '500']);
    expect(patch?.requestBody).toMatchObject({ required: true });
    expect(patch?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'x-request-note' })]));
    expect(doc.paths?.['/v1/things/{id}/poke']?.post?.requestBody).toMatchObject({ required: false });
    expect(Object.keys(doc.paths?.['/v1/things/{id}/poke']?.post?.responses ?? {})).toContain('409');
    expect(doc.paths?.['/v1/tenants']?.post?.security).toEqual([{ operatorToken: [] }]);
    expect(doc.paths?.['/v1/challenge/{token}']?.get?.security).toEqual([]);
    expect(Object.keys(doc.paths?.['/v1/challenge/{token}']?.get?.responses ?? {})).toEqual(['200', '422', '500']);
    expect(undocumentedRoutes(appRoutes(app), doc, '/v1')).toEqual([]);
    expect(undocumentedRoutes(appRoutes(app), doc, '/')).toEqual(
      expect.arrayContaining([
        { method: 'get', path: '/metrics' },
        { method: 'get', path: '/api/health' },
      ]),
    );
  });
});
