import type { LogRecord, OutgoingRecord } from './port.js';

/**
 * How much of a rejected record's value is kept: enough to see what it was, and small enough that the
 * `rejected` record itself is never refused by the broker (which would stall the partition it came from).
 */
export const rejectedExcerptBytes = 64 * 1024;

/** Longest reason kept: an error message can quote the whole input. */
const maxReasonChars = 1_000;

/** A `rejected` record's value: why, where the record came from, and (an excerpt of) its value. */
export interface RejectedValue {
  reason: string;
  topic: string;
  partition: number;
  offset: string;
  /** Base64, cut to `rejectedExcerptBytes`. */
  value: string | null;
  /** The whole value's size, when `value` was cut. */
  valueBytes?: number;
}

/**
 * A record a consumer cannot use, as a record for the `rejected` topic (one shape for every service): the
 * partition it came from moves on, and the record can still be looked at.
 */
export function rejectedRecord(
  record: Pick<LogRecord, 'topic' | 'partition' | 'offset' | 'key' | 'value'>,
  reason: string,
): OutgoingRecord {
  const { value } = record;
  const truncated = value !== null && value.length > rejectedExcerptBytes;
  const rejected: RejectedValue = {
    reason: reason.length > maxReasonChars ? `${reason.slice(0, maxReasonChars)}…` : reason,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset.toString(),
    value: value === null ? null : value.subarray(0, rejectedExcerptBytes).toString('base64'),
    ...(truncated ? { valueBytes: value.length } : {}),
  };
  return { key: record.key, value: JSON.stringify(rejected) };
}
