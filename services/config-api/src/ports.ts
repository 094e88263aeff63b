import type { ApiKeyRecord, ConfigRecord, ConfigState } from '@hookline/core';

/**
 * The parts of the Kafka port (`packages/kafka/src/port.ts`) config-api uses, by shape: `RecordPublisher` and
 * `EventLog` satisfy them. (Named here until `@hookline/kafka` exports the port's types from its index.)
 */
export interface OutgoingRecord {
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

export interface RecordPublisher {
  publish(batches: { topic: string; records: OutgoingRecord[] }[]): Promise<void>;
}

export interface PartitionRange {
  partition: number;
  /** Inclusive. */
  start: bigint;
  /** Exclusive. */
  end: bigint;
}

export interface LogRecord {
  partition: number;
  offset: bigint;
  value: Buffer | null;
}

/** Reading a topic by time range (recover). */
export interface TimeRangeReader {
  offsetsForTime(topic: string, sinceMs: number, untilMs?: number): Promise<PartitionRange[]>;
  readRanges(topic: string, ranges: PartitionRange[], onRecords: (records: LogRecord[]) => Promise<void>): Promise<void>;
}

/** The config topic's view as the admin API uses it (`ConfigView` of `@hookline/config`). */
export interface ConfigAccess {
  readonly state: ConfigState;
  /** `Authorization: Bearer <key>` to its key, with read-your-writes; `unauthorized` otherwise. */
  authenticate(authorization: string | undefined): Promise<ApiKeyRecord>;
  /** Reads the state; when `read` finds nothing, catches up with the topic first and reads again. */
  readFresh<T>(read: (state: ConfigState) => T | undefined): Promise<T | undefined>;
  /** Appends a change (or a tombstone) and returns once this process's view reflects it. */
  write(publisher: RecordPublisher, key: string, value: ConfigRecord | null): Promise<void>;
}
