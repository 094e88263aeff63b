import { describe, expect, it } from 'vitest';
import { chunkMessages } from '../src/chunks.js';

describe('chunkMessages', () => {
  const message = (i: number, bytes: number) => ({ key: `ep_${i}`, value: 'x'.repeat(bytes) });

  it('keeps every message, in order, in chunks under the limit', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => message(i, 1_300));
    const chunks = chunkMessages(messages, 512 * 1024);
    expect(chunks.flat()).toEqual(messages);
    expect(chunks.length).toBeGreaterThan(20);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((n, m) => n + String(m.key).length + String(m.value).length + 64, 0);
      expect(bytes).toBeLessThanOrEqual(512 * 1024);
    }
  });

  it('sends a message bigger than the limit alone, and nothing for no messages', () => {
    expect(chunkMessages([message(1, 10), message(2, 2_000), message(3, 10)], 1_000).map((c) => c.length)).toEqual([1, 1, 1]);
    expect(chunkMessages([], 1_000)).toEqual([]);
  });
});
