import { describe, expect, it, vi } from 'vitest';
import { RequestBatcher, splitCall } from '../src/kafkajs/batching.js';
import type { TopicRecords } from '../src/port.js';

/** Records each produce request's values; `ack` decides when (and whether) each request is acknowledged. */
function recordingSender(ack: (values: string[]) => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))) {
  const requests: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (request: TopicRecords[]) => {
    const values = request.flatMap((t) => t.records.map((r) => String(r.value)));
    requests.push(values);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      await ack(values);
    } finally {
      inFlight--;
    }
  };
  return { send, requests, maxInFlight: () => maxInFlight };
}

const limits = { lingerMs: 1, maxRecords: 1_000, maxBytes: 512 * 1024, maxConcurrentRequests: 4 };
const call = (...values: string[]): TopicRecords[] => [{ topic: 't', records: values.map((value) => ({ key: 'k', value })) }];

describe('RequestBatcher', () => {
  it('coalesces concurrent calls into one request and resolves each once it is acknowledged', async () => {
    const { send, requests } = recordingSender();
    const batcher = new RequestBatcher(send, limits);
    await Promise.all(['a', 'b', 'c'].map((v) => batcher.publish(call(v))));
    expect(requests).toEqual([['a', 'b', 'c']]);
  });

  it('with no linger sends without waiting on a timer, still sharing one request among calls of the same turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { send, requests } = recordingSender();
      const batcher = new RequestBatcher(send, { ...limits, lingerMs: 0 });
      // No timer is advanced: a request that waited on one would never go out.
      await Promise.all(['a', 'b'].map((v) => batcher.publish(call(v))));
      expect(requests).toEqual([['a', 'b']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cuts requests at the byte cap, in order, and sends an oversized record alone', async () => {
    const { send, requests } = recordingSender();
    const batcher = new RequestBatcher(send, { ...limits, maxBytes: 1_000, maxConcurrentRequests: 1 });
    const values = ['a'.repeat(400), 'b'.repeat(400), 'c'.repeat(400), 'x'.repeat(3_000), 'd'.repeat(10)];
    await Promise.all(values.map((v) => batcher.publish(call(v))));
    expect(requests.flat()).toEqual(values);
    expect(requests.map((r) => r.map((v) => v[0]))).toEqual([['a', 'b'], ['c'], ['x'], ['d']]);
  });

  it('sends the parts of one call larger than the cap one after another, never two at once', async () => {
    const { send, requests, maxInFlight } = recordingSender();
    const batcher = new RequestBatcher(send, { ...limits, maxBytes: 2_000 });
    const values = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'v'.repeat(400)}`);
    await batcher.publish(call(...values));
    expect(requests.length).toBeGreaterThan(4);
    expect(requests.flat()).toEqual(values);
    expect(maxInFlight()).toBe(1);
  });

  it('splits a call by records too, keeping the order across topics', () => {
    const parts = splitCall(
      [
        { topic: 'a', records: [1, 2, 3].map((v) => ({ key: 'k', value: String(v) })) },
        { topic: 'b', records: [4, 5].map((v) => ({ key: 'k', value: String(v) })) },
      ],
      1_000_000,
      2,
    );
    expect(parts.map((p) => p.batches.map((b) => `${b.topic}:${b.records.map((r) => r.value).join('')}`))).toEqual([
      ['a:12'],
      ['a:3', 'b:4'],
      ['b:5'],
    ]);
  });

  it('rejects only the callers whose request failed, and stops a failed call before its later parts', async () => {
    const { send, requests } = recordingSender(async (values) => {
      if (values.some((v) => v.startsWith('x'))) throw new Error('MESSAGE_TOO_LARGE');
    });
    const batcher = new RequestBatcher(send, { ...limits, maxBytes: 1_000, maxConcurrentRequests: 1 });
    const results = await Promise.allSettled([
      batcher.publish(call('a')),
      batcher.publish(call('x'.repeat(2_000), 'after')),
      batcher.publish(call('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(requests.flat()).not.toContain('after');
  });

  it('idle() resolves once every call has settled', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { send } = recordingSender(() => gate);
    const batcher = new RequestBatcher(send, limits);
    let settled = false;
    void batcher.publish(call('a')).then(() => (settled = true));
    const idle = batcher.idle();
    release();
    await idle;
    expect(settled).toBe(true);
  });
});
