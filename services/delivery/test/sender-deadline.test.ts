import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptResult, Sender } from '../src/sender.js';
import { endpoint } from './engine-fixtures.js';
import { answerBadly, loopbackSender, openConnections, sendFirstAttempt } from './sender-fixtures.js';

/**
 * The Sender's one deadline and its capped read of the answer, against a receiver that hangs (`/hang`), dribbles
 * its answer one byte every 100 ms (`/dribble`), answers an endless body (`/endless`), answers `102 Processing`
 * before its answer (`/processing`), or answers 200 at once.
 */
let server: Server;
let base: string;
let sockets: Set<Socket>;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (answerBadly(req, res)) return;
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
  sockets = openConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function sender(options: { timeoutMs: number; responseExcerptBytes?: number; connectionsPerOrigin?: number }): Sender {
  return loopbackSender({ responseExcerptBytes: 100, ...options });
}

function send(via: Sender, path: string, timeoutMs?: number): Promise<AttemptResult> {
  return sendFirstAttempt(via, endpoint('ep', { url: `${base}${path}`, ...(timeoutMs ? { timeoutMs } : {}) }));
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
      // 200 bytes at one per 100 ms would take 20 s.
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
