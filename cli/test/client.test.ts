import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, HooklineClient } from '../src/client.js';
import { CliError, exitCodes } from '../src/errors.js';

/** A loopback stand-in for config-api that answers every request with `reply`. */
let server: Server;
let baseUrl: string;
const seen: { method?: string; url?: string; authorization?: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
    if (request.url?.startsWith('/api/admin/webhooks/missing')) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'not_found', message: 'No such webhook' } }));
    } else if (request.method === 'POST') {
      const details = [
        { path: 'url', message: 'Invalid URL' },
        { path: '', message: 'one more' },
      ];
      response.writeHead(422, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'validation_failed', message: 'Invalid request body', details } }));
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const clientWith = (apiKey: string | undefined, apiUrl = baseUrl) => new HooklineClient({ apiUrl, ingestUrl: apiUrl, apiKey });

describe('HooklineClient', () => {
  it('sends the key as a Bearer token and answers with the body', async () => {
    const { data } = await answer(clientWith('hk_1').admin.GET('/api/admin/webhooks'));
    expect(data).toEqual([]);
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/api/admin/webhooks', authorization: 'Bearer hk_1' });
  });

  it('prints an API error as code: message (field problems), carrying the code', async () => {
    const failure = await answer(
      clientWith('hk_1').admin.POST('/api/admin/webhooks', { body: { name: 'n', url: 'x', events: ['*'] } }),
    ).catch((e) => e);
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({
      message: 'validation_failed: Invalid request body (url: Invalid URL; one more)',
      code: 'validation_failed',
      exitCode: exitCodes.failure,
    });
    const missing = await answer(clientWith('hk_1').admin.GET('/api/admin/webhooks/{id}', { params: { path: { id: 'missing' } } })).catch(
      (e) => e,
    );
    expect(missing).toMatchObject({ message: 'not_found: No such webhook', code: 'not_found' });
  });

  it('asks for a key only when a call is made (usage error), sending nothing', async () => {
    const before = seen.length;
    const client = clientWith(undefined);
    const failure = await answer(client.admin.GET('/api/admin/webhooks')).catch((e) => e);
    expect(failure).toMatchObject({ exitCode: exitCodes.usage, message: 'no API key: pass --api-key or set HOOKLINE_API_KEY' });
    expect(seen.length).toBe(before);
  });

  it('says which service it cannot reach, without an API code (tail --follow keeps going)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await answer(clientWith('hk_1', `http://127.0.0.1:${port}`).admin.GET('/api/admin/webhooks')).catch((e) => e);
    expect(failure).toBeInstanceOf(CliError);
    expect(failure.code).toBeUndefined();
    expect(failure.message).toBe(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});
