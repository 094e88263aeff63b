import type { LogRecord, OutgoingRecord } from '@hookline/kafka';

/**
 * How much of a rejected record's value is kept: enough to see what it was, and small enough that the
 * `rejected` record itself is never refused by the broker (which would stall the partition it came from).
 */
export const rejectedExcerptBytes = 64 * 1024;

/** Longest reason kept: an error message can quote the whole input. */
const maxReasonChars = 1_000;

/**
 * A record this service cannot use, as a `rejected` record (the shape fanout writes too): why, where it came
 * from, and its value in base64, cut to `rejectedExcerptBytes` (`valueBytes` then tells the full size).
 */
export function rejectedRecord(record: LogRecord, reason: string): OutgoingRecord {
  const { value } = record;
  const truncated = value !== null && value.length > rejectedExcerptBytes;
  return {
    key: record.key,
    value: JSON.stringify({
      reason: reason.length > maxReasonChars ? `${reason.slice(0, maxReasonChars)}…` : reason,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset.toString(),
      value: value === null ? null : value.subarray(0, rejectedExcerptBytes).toString('base64'),
      ...(truncated ? { valueBytes: value.length } : {}),
    }),
  };
}
