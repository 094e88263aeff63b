import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ApiError } from '@hookline/core';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AccessRules,
  answerUnsupportedMethods,
  appRoutes,
  closeServer,
  createHttpApp,
  createLogger,
  errorHandler,
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
  route({
    method: 'post',
    path: '/hooks/:token',
    summary: 'Anyone with the token; fails inside',
    tags: ['incoming'],
    auth: 'none',
    responses: { 202: { description: 'Never' } },
    async handler() {
      throw new Error('kaput');
    },
  }),
];

/** What the app logged, one parsed JSON line each. */
const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const logger = createLogger('contract-test', 'info', logSink);
const app = createHttpApp({ logger, metrics: new Registry() });
const mounted = mountRoutes(app, '/v1', routes, access, { jsonBodyLimit: '16kb' });
answerUnsupportedMethods(app);
app.use(notFoundHandler());
app.use(errorHandler(logger));
let server: Server | undefined;

/** An answer's JSON: fields the tests read, whatever else it holds. */
interface AnswerBody {
  error: { code: string };
  id: string;
  [field: string]: unknown;
}

async function baseUrl(): Promise<string> {
  if (!server) server = (await listen(app, 0)).server;
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A raw request: any body bytes and headers. */
async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array) {
  const response = await fetch(`${await baseUrl()}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, allow: response.headers.get('allow'), body: text ? (JSON.parse(text) as AnswerBody) : undefined };
}

async function call(method: string, path: string, key: string | undefined, body?: unknown) {
  const port = new URL(await baseUrl()).port;
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
    expect(patch?.responses?.['400']).toMatchObject({ description: '`bad_request`, `invalid_json`' });
    expect(patch?.requestBody).toMatchObject({ required: true });
    expect(patch?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'x-request-note' })]));
    expect(doc.paths?.['/v1/things/{id}/poke']?.post?.requestBody).toMatchObject({ required: false });
    expect(Object.keys(doc.paths?.['/v1/things/{id}/poke']?.post?.responses ?? {})).toContain('409');
    expect(doc.paths?.['/v1/tenants']?.post?.security).toEqual([{ operatorToken: [] }]);
    expect(doc.paths?.['/v1/challenge/{token}']?.get?.security).toEqual([]);
    // The path parameter: malformed percent-encoding is a 400 before the route runs.
    expect(Object.keys(doc.paths?.['/v1/challenge/{token}']?.get?.responses ?? {}).sort()).toEqual(['200', '400', '422', '500']);
    expect(undocumentedRoutes(appRoutes(app), doc, '/v1')).toEqual([]);
    expect(undocumentedRoutes(appRoutes(app), doc, '/')).toEqual(
      expect.arrayContaining([
        { method: 'get', path: '/metrics' },
        { method: 'get', path: '/api/health' },
      ]),
    );
  });
});

describe('requests the routes cannot take', () => {
  const owner = { authorization: 'Bearer owner' };
  const json = { ...owner, 'content-type': 'application/json' };

  it('answer 405 method_not_allowed with Allow on a known path, 404 elsewhere, and OPTIONS with Allow', async () => {
    const put = await send('PUT', '/v1/things/th_1', owner);
    expect([put.status, put.body?.error.code, put.allow]).toEqual([405, 'method_not_allowed', 'PATCH, OPTIONS']);
    const get = await send('GET', '/v1/tenants');
    expect([get.status, get.allow]).toEqual([405, 'POST, OPTIONS']);
    expect((await send('DELETE', '/v1/challenge/tok')).allow).toBe('GET, HEAD, OPTIONS');
    expect((await send('POST', '/health')).status).toBe(405);
    expect([(await send('OPTIONS', '/v1/things/th_1')).status, (await send('OPTIONS', '/v1/things/th_1')).allow]).toEqual([
      204,
      'PATCH, OPTIONS',
    ]);
    expect((await send('PUT', '/v1/nothing-here', owner)).body?.error.code).toBe('not_found');
  });

  it('answer bad bodies with a 4xx code, after the access checks', async () => {
    const cases: [Record<string, string>, string | Uint8Array, number, string][] = [
      [json, '{"name":', 400, 'invalid_json'],
      [{ ...owner, 'content-type': 'text/plain' }, 'name=x', 415, 'unsupported_media_type'],
      [{ ...json, 'content-type': 'application/json; charset=latin-9' }, '{}', 415, 'unsupported_media_type'],
      [{ ...json, 'content-encoding': 'br-unknown' }, '{}', 415, 'unsupported_media_type'],
      [{ ...json, 'content-encoding': 'gzip' }, 'not gzip at all', 400, 'bad_request'],
      [json, JSON.stringify({ name: 'x'.repeat(20_000) }), 413, 'payload_too_large'],
    ];
    for (const [headers, body, status, code] of cases) {
      const answer = await send('PATCH', '/v1/things/th_1', headers, body);
      expect([answer.status, answer.body?.error.code], JSON.stringify(headers)).toEqual([status, code]);
    }
    const gzipped = await send('PATCH', '/v1/things/th_1', { ...json, 'content-encoding': 'gzip' }, gzipSync('{"name":"zipped"}'));
    expect([gzipped.status, gzipped.body?.name]).toEqual([200, 'zipped']);
    // An optional body may be left out, but `null` is a body, and not an object.
    const nullBody = await send('POST', '/v1/things/th_1/poke', json, 'null');
    expect([nullBody.status, nullBody.body?.error.code]).toEqual([422, 'validation_failed']);
    expect((await send('POST', '/v1/things/th_1/poke', owner)).status).toBe(204);
    // Nobody's body is parsed before they are known.
    expect((await send('PATCH', '/v1/things/th_1', { 'content-type': 'application/json' }, '{"name":')).status).toBe(401);
  });

  it('answer a path parameter that is not valid percent-encoding with 400 bad_request', async () => {
    const answer = await send('GET', '/v1/challenge/%E0%A4%A?challenge=x');
    expect([answer.status, answer.body?.error.code]).toEqual([400, 'bad_request']);
  });

  it('log an internal error by route template and method, never the path (which holds the token)', async () => {
    logLines.length = 0;
    const answer = await send('POST', '/v1/hooks/tok_secret123', { authorization: 'Bearer tok_header456' });
    expect([answer.status, answer.body?.error]).toEqual([500, { code: 'internal_error', message: 'internal error' }]);
    const failed = logLines.find((line) => line.msg === 'request failed');
    expect(failed).toMatchObject({ route: '/v1/hooks/:token', method: 'POST', err: { message: 'kaput' } });
    expect(JSON.stringify(logLines)).not.toContain('tok_secret123');
  });
});
