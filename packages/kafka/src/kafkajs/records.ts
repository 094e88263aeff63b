import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { LogRecord, OutgoingRecord } from '../port.js';

export function toMessage(record: OutgoingRecord): Message {
  return { key: record.key, value: record.value, ...(record.headers ? { headers: record.headers } : {}) };
}

export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return {
    topic,
    partition,
    offset: BigInt(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value,
    headers: headerStrings(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Headers as strings; a header sent several times keeps its last value. */
function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) result[name] = last.toString();
  }
  return result;
}
