import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { planTask, resolvePolicy } from '@hookline/delivery-policy';
import { EndpointSecrets, Keyring } from '@hookline/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttemptResult, Sender, SsrfGuard } from '../src/sender.js';
import { endpoint } from './engine-fixtures.js';

/**
 * The Sender's one deadline and its capped read of the answer, against a receiver that hangs (`/hang`), dribbles
 * its answer one byte every 50 ms (`/dribble`), answers an endless body (`/endless`), answers `102 Processing`
 * before its answer (`/processing`), or answers 200 at once.
 */
let server: Server;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/hang') return;
      if (req.url === '/dribble') {
        res.writeHead(200, { 'content-length': '100' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 50);
        return;
      }
      if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'y'.repeat(16_384);
        const more = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', more);
        };
        return more();
      }
      if (req.url === '/processing') {
        res.writeProcessing();
        setTimeout(() => res.writeHead(202, { 'retry-after': '3' }).end('accepted'), 20);
        return;
      }
      res.end('ok');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const secrets = new EndpointSecrets(Keyring.parse(Keyring.generateEntry()));
const event = { id: 'evt_1', type: 'task.created', tenantId: 'ten', timestamp: '2026-01-01T00:00:00.000Z', data: {} };

function sender(options: { timeoutMs: number; responseExcerptBytes?: number; connectionsPerOrigin?: number }): Sender {
  return new Sender({
    responseExcerptBytes: 100,
    guard: new SsrfGuard({ allowCidrs: ['127.0.0.0/8'], requireHttps: false }),
    secrets,
    ...options,
  });
}

function send(via: Sender, path: string, timeoutMs?: number): Promise<AttemptResult> {
  const target = endpoint('ep', { url: `${base}${path}`, ...(timeoutMs ? { timeoutMs } : {}) });
  return via.send(planTask({ kind: 'first', event, endpoint: target, now: 0 }), target, resolvePolicy(target));
}

const timedOut = {
  failure: { kind: 'timeout', retryable: true },
  record: { outcome: 'failure', errorClass: 'timeout', errorMessage: 'timeout: no complete answer within the deadline (300 ms)' },
};

describe('Sender: one deadline per exchange, a capped read of the answer', () => {
  it('ends an attempt to a receiver that never answers at its deadline, as a timeout', async () => {
    const via = sender({ timeoutMs: 300 });
    try {
      const result = await send(via, '/hang');
      expect(result).toMatchObject(timedOut);
      expect(result.record.durationMs).toBeGreaterThanOrEqual(290);
    } finally {
      await via.close();
    }
  });

  it('ends an answer that dribbles past the deadline as a timeout, without reading the rest', async () => {
    const via = sender({ timeoutMs: 300 });
    try {
      // 100 bytes at one per 50 ms would take 5 s.
      expect(await send(via, '/dribble')).toMatchObject(timedOut);
    } finally {
      await via.close();
    }
  });

  it('keeps the first bytes of an endless answer and drops its connection there', async () => {
    const via = sender({ timeoutMs: 5_000, responseExcerptBytes: 1_000 });
    try {
      const result = await send(via, '/endless');
      expect(result.failure).toBeUndefined();
      expect(result.record).toMatchObject({ outcome: 'success', statusCode: 200, responseExcerpt: 'y'.repeat(1_000) });
      // The capped answer's connection goes (the rest of the body is never read); a later request gets a new one.
      await expect.poll(() => sockets.size, { timeout: 5_000 }).toBe(0);
      expect(await send(via, '/ok')).toMatchObject({ record: { outcome: 'success', responseExcerpt: 'ok' } });
    } finally {
      await via.close();
    }
  });

  it('reads the final answer after an informational one', async () => {
    const via = sender({ timeoutMs: 5_000 });
    try {
      expect(await send(via, '/processing')).toMatchObject({
        failure: undefined,
        retryAfter: '3',
        record: { outcome: 'success', statusCode: 202, responseExcerpt: 'accepted', responseHeaders: { 'retry-after': '3' } },
      });
    } finally {
      await via.close();
    }
  });

  it('times out a request still waiting for a connection at its deadline, and the origin serves the next one', async () => {
    // One connection for the origin, held by a request that hangs until its own (later) deadline: the second
    // waits in the pool's queue past its deadline.
    const via = sender({ timeoutMs: 300, connectionsPerOrigin: 1 });
    try {
      const hanging = send(via, '/hang', 1_500);
      expect(await send(via, '/ok')).toMatchObject(timedOut);
      expect(await hanging).toMatchObject({ record: { outcome: 'failure', errorClass: 'timeout' } });
      expect(await send(via, '/ok')).toMatchObject({ record: { outcome: 'success', statusCode: 200 } });
    } finally {
      await via.close();
    }
  });
});
