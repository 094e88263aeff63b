import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { planTask, resolvePolicy } from '@hookline/delivery-policy';
import { EndpointSecrets, Keyring } from '@hookline/secrets';
import { signatureHeaders } from '@hookline/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sender, SsrfGuard } from '../src/sender.js';
import { endpoint } from './engine-fixtures.js';
import { loopbackSender, sendFirstAttempt } from './sender-fixtures.js';

let server: Server;
let base: string;
const received: { headers: IncomingHttpHeaders; body: string; url: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body, url: req.url ?? '' });
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status, status === 429 ? { 'retry-after': '7' } : {}).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await allowLoopback.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const keyring = Keyring.parse(Keyring.generateEntry());
const secrets = new EndpointSecrets(keyring);
const allowLoopback = loopbackSender({ timeoutMs: 5_000, responseExcerptBytes: 100, secrets });
const event = { id: 'evt_1', type: 'task.created', tenantId: 'ten', timestamp: '2026-01-01T00:00:00.000Z', data: { id: 't_1' } };

describe('Sender', () => {
  it('posts the profile body with its signature headers, byte for byte', async () => {
    const target = endpoint('ep', { url: `${base}/200`, profile: 'taskapp', secrets: [{ secret: 'topsecret' }] });
    const task = planTask({ kind: 'first', event, endpoint: target, now: 0 });
    const now = new Date('2026-01-01T00:00:05.000Z');
    const result = await allowLoopback.send(task, target, resolvePolicy(target), now);
    expect(result).toMatchObject({ failure: undefined, record: { outcome: 'success', statusCode: 200, final: false, attempt: 1 } });
    const sent = received.at(-1)!;
    const body = '{"event":"task.created","timestamp":"2026-01-01T00:00:00.000Z","webhook_id":"ep","data":{"id":"t_1"}}';
    expect(sent.body).toBe(body);
    const expected = signatureHeaders(
      { kind: 'hmac-sha256-hex', headerName: 'x-webhook-signature', prefix: 'sha256=', idAndTimestampHeaders: true },
      ['topsecret'],
      task.deliveryId,
      now,
      body,
    );
    // The document's X-Webhook-ID is the webhook's id, as `webhook_id` in the body; the delivery has its own header.
    expect(sent.headers).toMatchObject({ ...expected, 'x-webhook-id': 'ep', 'x-webhook-delivery-id': task.deliveryId });
  });

  it('posts other profiles with exactly their signature headers', async () => {
    const target = endpoint('ep', { url: `${base}/200`, profile: 'twig', secrets: [{ secret: 'topsecret' }] });
    const task = planTask({ kind: 'first', event, endpoint: target, now: 0 });
    const now = new Date('2026-01-01T00:00:05.000Z');
    await allowLoopback.send(task, target, resolvePolicy(target), now);
    const sent = received.at(-1)!;
    const expected = signatureHeaders(
      { kind: 'hmac-sha256-hex', headerName: 'x-twig-signature' },
      ['topsecret'],
      task.deliveryId,
      now,
      sent.body,
    );
    const { host: _host, connection: _connection, 'content-length': _length, ...headers } = sent.headers;
    expect(headers).toEqual({ ...expected, 'content-type': 'application/json', 'user-agent': 'Hookline/0.1' });
  });

  it('reports typed failures with the error classes attempt records always had', async () => {
    const at = (url: string) => endpoint('ep', { url });
    const send = (sender: Sender, url: string) => sendFirstAttempt(sender, at(url), event);
    const throttled = await send(allowLoopback, `${base}/429`);
    expect(throttled).toMatchObject({
      retryAfter: '7',
      failure: { kind: 'http_status', retryable: true },
      record: { errorClass: 'http_429', errorMessage: 'receiver answered 429' },
    });
    const refused = await send(
      new Sender({ timeoutMs: 5_000, responseExcerptBytes: 100, guard: new SsrfGuard({ allowCidrs: [], requireHttps: false }), secrets }),
      `${base}/200`,
    );
    expect(refused).toMatchObject({
      failure: { kind: 'destination_refused', retryable: false },
      record: { outcome: 'failure', errorClass: 'edestinationrefused' },
    });
    const closed = await send(allowLoopback, 'http://127.0.0.1:1/');
    expect(closed).toMatchObject({ failure: { kind: 'connection', retryable: true }, record: { errorClass: 'econnrefused' } });
  });

  it('opens sealed secrets and header values per attempt, and still sends records of the previous (plain) shape', async () => {
    const plain = endpoint('ep_sealed', {
      url: `${base}/200`,
      secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
      headers: { 'X-Api-Key': 'receiver-credential', Host: 'elsewhere.test', Connection: 'close', 'Proxy-Authorization': 'x' },
    });
    for (const target of [plain, secrets.sealPlain(plain)]) {
      const task = planTask({ kind: 'first', event, endpoint: target, now: 0 });
      const now = new Date('2026-01-01T00:00:05.000Z');
      expect((await allowLoopback.send(task, target, resolvePolicy(target), now)).record.outcome).toBe('success');
      const sent = received.at(-1)!;
      expect(sent.headers).toMatchObject(
        signatureHeaders({ kind: 'standard-webhooks' }, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], task.deliveryId, now, sent.body),
      );
      // Names that belong to the connection are never sent, even from records written before they were refused.
      expect([sent.headers['x-api-key'], sent.headers.host, sent.headers.connection, sent.headers['proxy-authorization']]).toEqual([
        'receiver-credential',
        base.slice('http://'.length),
        'keep-alive',
        undefined,
      ]);
    }
  });

  it('fails the attempt (retryable) when a value is sealed with a key it does not have', async () => {
    const other = new EndpointSecrets(Keyring.parse(Keyring.generateEntry()));
    const target = other.sealPlain(endpoint('ep_other', { url: `${base}/200` }));
    const count = received.length;
    const result = await sendFirstAttempt(allowLoopback, target, event);
    expect(result).toMatchObject({
      failure: { retryable: true },
      record: {
        outcome: 'failure',
        errorClass: 'esecretunavailable',
        errorMessage: expect.stringMatching(/not in this service's keyring/),
      },
    });
    expect(received.length).toBe(count);
  });

  it('does not name the refused address in the attempt, only in what it tells the service', async () => {
    const refusals: { host: string; address: string }[] = [];
    const guarded = new Sender({
      timeoutMs: 5_000,
      responseExcerptBytes: 100,
      guard: new SsrfGuard({ allowCidrs: [], requireHttps: false, onRefused: (r) => refusals.push(r) }),
      secrets,
    });
    const port = base.split(':').at(-1);
    for (const url of [`http://localhost:${port}/`, `http://10.1.2.3:${port}/`]) {
      const target = endpoint('ep', { url });
      const { record } = await sendFirstAttempt(guarded, target, event);
      expect(record).toMatchObject({ errorClass: 'edestinationrefused', errorMessage: expect.stringMatching(/refused by the SSRF guard/) });
      expect(record.errorMessage).not.toMatch(/127\.0\.0\.1|::1|10\.1\.2\.3/);
    }
    await guarded.close();
    expect(refusals).toContainEqual({ host: 'localhost', address: '127.0.0.1', range: 'loopback' });
    expect(refusals).toContainEqual({ host: '10.1.2.3', address: '10.1.2.3', range: 'private' });
  });
});
