import { describe, expect, it } from 'vitest';
import { BatchingProducer } from '../src/batching-producer.js';
import type { Producer } from '../src/client.js';

/** Records each produce request's message values; the broker side is covered by the e2e suites. */
function recordingProducer() {
  const requests: string[][] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
      requests.push(topicMessages.flatMap((t) => t.messages.map((m) => m.value)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [];
    },
  } as unknown as Producer;
  return { producer, requests };
}

const message = (value: string) => [{ topic: 't', messages: [{ key: 'k', value }] }];

describe('BatchingProducer', () => {
  it('coalesces concurrent sends into one request and resolves each once it is acknowledged', async () => {
    const { producer, requests } = recordingProducer();
    const batching = new BatchingProducer(producer);
    await Promise.all(['a', 'b', 'c'].map((v) => batching.send(message(v))));
    expect(requests).toEqual([['a', 'b', 'c']]);
  });

  it('cuts requests at the byte cap, in order, and sends an oversized message alone', async () => {
    const { producer, requests } = recordingProducer();
    const batching = new BatchingProducer(producer, { maxBytes: 1_000, maxConcurrentRequests: 1 });
    const big = 'x'.repeat(3_000);
    const values = ['a'.repeat(400), 'b'.repeat(400), 'c'.repeat(400), big, 'd'.repeat(10)];
    await Promise.all(values.map((v) => batching.send(message(v))));
    expect(requests.flat()).toEqual(values);
    expect(requests.map((r) => r.map((v) => v[0]))).toEqual([['a', 'b'], ['c'], ['x'], ['d']]);
  });

  it('rejects only the callers whose request failed', async () => {
    const requests: number[] = [];
    const producer = {
      sendBatch: async ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
        requests.push(1);
        if (topicMessages[0]!.messages.some((m) => m.value.startsWith('x'))) throw new Error('MESSAGE_TOO_LARGE');
        return [];
      },
    } as unknown as Producer;
    const batching = new BatchingProducer(producer, { maxBytes: 1_000, maxConcurrentRequests: 1 });
    const results = await Promise.allSettled(['a', 'x'.repeat(2_000), 'b'].map((v) => batching.send(message(v))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
