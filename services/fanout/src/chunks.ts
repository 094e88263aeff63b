import type { Message } from 'kafkajs';

/** Per-record overhead in a record batch beyond key and value (lengths, offsets, timestamp, headers count). */
const recordOverheadBytes = 64;

/**
 * Splits messages into consecutive runs of at most `maxBytes` (keys, values and overhead), so one event fanned
 * out to thousands of endpoints never becomes a produce request the broker refuses (`message.max.bytes`, 1 MiB
 * by default, applies to each partition's record batch). A message larger than `maxBytes` goes alone.
 */
export function chunkMessages(messages: Message[], maxBytes: number): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = byteLength(message.key) + byteLength(message.value) + recordOverheadBytes;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function byteLength(value: Message['value'] | Message['key']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
