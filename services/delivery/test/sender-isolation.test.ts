import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptResult, Sender } from '../src/sender.js';
import { endpoint } from './engine-fixtures.js';
import { answerBadly, loopbackSender, openConnections, sendFirstAttempt } from './sender-fixtures.js';

/**
 * Isolation at the HTTP client: three receivers on distinct loopback origins (127.0.0.1, .2, .3). `/hang` never
 * answers, `/dribble` sends its answer one byte every 100 ms, anything else answers 200 at once. While bad
 * requests hold their connections, healthy ones keep flowing, on other origins and on the bad ones' own origin.
 */
interface TestServer {
  server: Server;
  base: string;
  /** Connections the server has open now. */
  open(): number;
  /** Cuts every open connection (what is still hanging or dribbling fails at the client). */
  drop(): void;
}

async function serve(host: string): Promise<TestServer> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!answerBadly(req, res)) res.end('ok');
    });
  });
  const sockets = openConnections(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    server,
    base: `http://${host}:${(server.address() as AddressInfo).port}`,
    open: () => sockets.size,
    drop: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

const servers: TestServer[] = [];
let healthy: TestServer;
let hanging: TestServer;
let dribbling: TestServer;

beforeAll(async () => {
  [healthy, hanging, dribbling] = await Promise.all([serve('127.0.0.1'), serve('127.0.0.2'), serve('127.0.0.3')]);
  servers.push(healthy, hanging, dribbling);
});
afterAll(async () => {
  for (const { server } of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function send(sender: Sender, url: string): Promise<AttemptResult> {
  return sendFirstAttempt(sender, endpoint('ep', { url }));
}

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Sender isolation: one pool per origin', () => {
  it('keeps healthy requests flowing while a hanging and a dribbling receiver hold their connections', async () => {
    const sender = loopbackSender({
      timeoutMs: 30_000,
      responseExcerptBytes: 1_000,
      connectionsPerOrigin: 32,
    });
    // Bad endpoints at their concurrency limit: 20 requests hanging, 20 dribbling (each would take 20 s).
    const bad = [
      ...Array.from({ length: 20 }, () => send(sender, `${hanging.base}/hang`)),
      ...Array.from({ length: 20 }, () => send(sender, `${dribbling.base}/dribble`)),
    ];
    try {
      await waitUntil(() => hanging.open() >= 20 && dribbling.open() >= 20);
      // Healthy requests to a healthy origin and to the bad origins themselves (another endpoint there).
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => send(sender, `${[healthy, hanging, dribbling][i % 3]!.base}/ok`)),
      );
      const elapsedMs = performance.now() - started;
      expect(results.map((r) => r.record.outcome)).toEqual(Array(60).fill('success'));
      expect(elapsedMs).toBeLessThan(2_000);
      // The bad requests are still in flight, holding their connections.
      expect(hanging.open()).toBeGreaterThanOrEqual(20);
      expect(dribbling.open()).toBeGreaterThanOrEqual(20);
    } finally {
      hanging.drop();
      dribbling.drop();
      await Promise.allSettled(bad);
      await sender.close();
    }
  });

  it("bounds each origin's share: a saturated origin queues its own requests, never another origin's", async () => {
    const sender = loopbackSender({
      timeoutMs: 1_500,
      responseExcerptBytes: 1_000,
      connectionsPerOrigin: 4,
    });
    await waitUntil(() => hanging.open() === 0);
    const bad = Array.from({ length: 8 }, () => send(sender, `${hanging.base}/hang`));
    try {
      await waitUntil(() => hanging.open() >= 4);
      const results = await Promise.all(Array.from({ length: 20 }, () => send(sender, `${healthy.base}/ok`)));
      expect(results.map((r) => r.record.outcome)).toEqual(Array(20).fill('success'));
      // The hanging origin got its share (4 connections), not the 8 it asked for.
      expect(hanging.open()).toBe(4);
    } finally {
      hanging.drop();
      dribbling.drop();
      // Past their timeout (1.5 s each, the last four after the first four): all settle.
      await Promise.allSettled(bad);
      await sender.close();
    }
  }, 15_000);
});
