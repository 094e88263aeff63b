import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import type { DeadLetterRecord } from '@hookline/core';
import { describe, expect, inject, it } from 'vitest';
import { Store } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('insert_once', (connected) => {
  store = connected;
});

function letter(deliveryId: string, at: string): DeadLetterRecord {
  const event = { id: `evt_${deliveryId}`, type: 'a.b', tenantId: 'ten_1', timestamp: at, data: {} };
  return {
    task: { deliveryId, eventId: event.id, endpointId: 'ep_1', tenantId: 'ten_1', attempt: 1, dueAt: 0, event } as DeadLetterRecord['task'],
    reason: 'receiver answered 500',
    kind: 'failed',
    deadLetteredAt: at,
  };
}

/**
 * A batch read again after a failure mid-way can reach further than the first time: some of its documents are
 * stored, the rest are not. FerretDB 1 stops an unordered insert at its first duplicate, so the rest must be
 * inserted again, not taken as written.
 */
describe('a batch with stored and new documents (real MongoDB-wire server)', () => {
  it('stores the attempts after a duplicate and counts each once', async () => {
    const [first, second, third] = ['att_a', 'att_b', 'att_c'].map((attemptId) => testAttempt({ endpointId: 'ep_once', attemptId }));
    await store.recordAttempts([first!], { partition: 0, offsets: ['0'] });
    const again = await store.recordAttempts([first!, second!, third!], { partition: 0, offsets: ['0', '1', '2'] });

    expect(again.recorded).toBe(2);
    const stored = await store.attempts.find({ endpointId: 'ep_once' }, { projection: { _id: 1 } }).toArray();
    expect(stored.map((d) => d._id).sort()).toEqual(['att_a', 'att_b', 'att_c']);
    expect((await store.stats.endpoint('ep_once'))?.attempts).toBe(3);
  });

  it('stores the dead letters after one already known, and keeps the newer of a delivery', async () => {
    await store.deadLetters.record([letter('d_a', '2026-12-01T10:00:00.000Z')]);
    await store.deadLetters.record([letter('d_a', '2026-12-01T10:05:00.000Z'), letter('d_b', '2026-12-01T10:06:00.000Z')]);

    const letters = await store.deadLetters.letters
      .find({}, { projection: { _id: 1, deadLetteredAt: 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(letters).toEqual([
      { _id: 'd_a', deadLetteredAt: '2026-12-01T10:05:00.000Z' },
      { _id: 'd_b', deadLetteredAt: '2026-12-01T10:06:00.000Z' },
    ]);
  });
});

/**
 * Between the store and the server: forwards both ways, and cuts the connection that sends the next message of
 * at least `bytes` instead of forwarding it (a server that went away in the middle of a write).
 */
class CuttingProxy {
  private cutAt: number | undefined;
  private constructor(private readonly server: Server) {}

  static async start(target: URL): Promise<CuttingProxy> {
    let proxy: CuttingProxy | undefined;
    const server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      upstream.on('data', (chunk) => client.write(chunk));
      client.on('data', (chunk) => {
        if (proxy?.cutAt !== undefined && chunk.length >= proxy.cutAt) {
          proxy.cutAt = undefined;
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CuttingProxy(server);
    return proxy;
  }

  get url(): string {
    return `mongodb://127.0.0.1:${(this.server.address() as AddressInfo).port}/?directConnection=true`;
  }

  cutNextWriteOf(bytes: number): void {
    this.cutAt = bytes;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('a connection lost in the middle of an insert', () => {
  it('fails the batch (read again), never takes its attempts as stored', async () => {
    const proxy = await CuttingProxy.start(new URL(inject('infra').mongoUrl));
    const cut = await Store.connect(proxy.url, `insert_cut_${Date.now().toString(36)}`);
    try {
      // Bodies of their own (the same body would be stored once): the insert is over 6 KB.
      const batch = ['cut_a', 'cut_b', 'cut_c'].map((attemptId) =>
        testAttempt({ endpointId: 'ep_cut', attemptId, request: { headers: {}, body: attemptId.repeat(400) } }),
      );
      const source = { partition: 0, offsets: ['0', '1', '2'] };
      proxy.cutNextWriteOf(6_000);
      await expect(cut.recordAttempts(batch, source)).rejects.toThrow(/closed/);
      await cut.recordAttempts(batch, source);
      const stored = await cut.attempts.find({ endpointId: 'ep_cut' }, { projection: { _id: 1 } }).toArray();
      expect(stored.map((d) => d._id).sort()).toEqual(['cut_a', 'cut_b', 'cut_c']);
    } finally {
      await cut.db.dropDatabase();
      await cut.close();
      await proxy.close();
    }
  });
});
