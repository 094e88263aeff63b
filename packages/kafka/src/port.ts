import type { HealthVerdict } from '@hookline/core';

/** Where a consumer group stands on one topic, summed over its partitions. */
export interface GroupTopicProgress {
  /** Records written and not committed yet. */
  lag: number;
  /** The committed offsets (the log start where none is), summed: it moves exactly when the group commits. */
  committed: number;
}

/**
 * Hookline's event log, shaped like what the services do with it rather than like a Kafka client: publish
 * records, run a consumer group whose handler gets one partition's batch at a time (the offset book inside
 * decides what is committed), fold a topic into a view, read a topic by time range, make sure topics exist
 * with their policies, and report health and lag.
 *
 * Two implementations: `kafkajs/` (the real broker; the only code that imports kafkajs) and `memory/` (fast
 * unit tests of the logic built on top, same semantics: partitions by key, per-partition order, group
 * assignment, committed offsets, redelivery after a member leaves).
 */
export interface EventLog {
  /** A publisher; concurrent `publish` calls share produce requests (linger, record count and byte caps). */
  publisher(options?: PublisherOptions): Promise<RecordPublisher>;
  /**
   * Joins `groupId` and runs `onBatch` for each partition batch until stopped. Resolves once the member runs;
   * on a broker the group's first assignment may come a few seconds later (`onAssignment` tells).
   */
  consume(options: GroupConsumerOptions): Promise<RunningConsumer>;
  /** A fold of a topic from offset 0 (compacted topics: config); not started until `start()`. */
  view(topic: string, apply: (record: LogRecord) => void): TopicView;
  /** Per partition: the first offset at or after `timeMs` (the log end when none), and the log end. */
  offsetsForTime(topic: string, sinceMs: number, untilMs?: number): Promise<PartitionRange[]>;
  /**
   * Reads the given offset ranges (start inclusive, end exclusive) without a consumer group and without
   * committing, calling `onRecords` per fetched batch in offset order per partition; resolves when every
   * range is read (records past a range's end are not passed on).
   */
  readRanges(topic: string, ranges: PartitionRange[], onRecords: (records: LogRecord[]) => Promise<void>): Promise<void>;
  /**
   * Creates missing topics with their policies, brings existing ones to the spec's config entries, refuses one
   * that breaks a `required` entry, and waits until every partition has a leader.
   */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /** Per topic (summed over partitions): the records a group has not committed yet, and how far it has committed. */
  groupProgress(groupId: string, topics: string[]): Promise<Map<string, GroupTopicProgress>>;
  /** Deletes a consumer group's committed offsets (e.g. a finished job's). */
  deleteGroup(groupId: string): Promise<void>;
  /**
   * Deletes every topic of a namespace (`HOOKLINE_TOPIC_PREFIX`, ending in "."), e.g. a finished bench run's,
   * and returns their names. Throws `NotANamespaceError` for any other prefix.
   */
  deleteNamespace(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Replicas per partition at creation; default min(3, brokers in the cluster). Existing topics are not re-replicated. */
  replicationFactor?: number | undefined;
  /** `min.insync.replicas`; default one fewer than the replicas (at least 1). Existing topics are brought to it. */
  minInsyncReplicas?: number | undefined;
  /** Set at creation, and existing topics are brought to them. */
  configEntries?: { name: string; value: string }[];
  /** Set at creation; an existing topic that differs is refused (`TopicMisconfiguredError`), never changed. */
  required?: { name: string; value: string }[];
}

/** A record to write: JSON text or bytes, keyed (records with the same key keep their order). */
export interface OutgoingRecord {
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

export interface TopicRecords {
  topic: string;
  records: OutgoingRecord[];
}

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: bigint;
}

/** A record as read. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** When the broker (or producer) stamped it, epoch ms. */
  timestamp: number;
}

export interface PublisherOptions {
  /** How long the first record of a request waits for others to join it (default 2 ms). */
  lingerMs?: number;
  /** A request is cut at this many records (default 1,000). */
  maxRecords?: number;
  /** A request is cut at about this many bytes; a larger single record goes alone (default 512 KiB). */
  maxBytes?: number;
}

/** Writes with acks=all: a resolved promise means the records are on every in-sync replica. */
export interface RecordPublisher {
  /** Records of one call keep their order per key; resolves when all of them are acknowledged. */
  publish(batches: TopicRecords[]): Promise<void>;
  /**
   * One record, acknowledged, with where it landed (for read-your-writes through a view). Sent on its own, so
   * it is not ordered with `publish` calls still in flight.
   */
  append(topic: string, record: OutgoingRecord): Promise<RecordPosition>;
  /** Resolves when nothing is queued or in flight (graceful shutdown). */
  flush(): Promise<void>;
  health(): HealthVerdict;
  close(): Promise<void>;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** In offset order. */
  records: LogRecord[];
}

/** What a handler may do with the batch in hand. */
export interface BatchControl {
  /**
   * Keeps `record` uncommitted after `onBatch` returns, until the returned `release` is called: for work that
   * finishes out of order (the delivery engine). Records not held count as done when `onBatch` resolves.
   */
  hold(record: LogRecord): () => void;
  /**
   * Leaves `record` and everything after it in this partition unconsumed: the partition is paused and read
   * again from `record` once `untilMs` (epoch ms) has passed (a delay line: retry tiers).
   */
  pauseFrom(record: LogRecord, untilMs: number): void;
  /**
   * Leaves `record` and everything after it in this batch unconsumed (not committed, read again by the next
   * fetch or the partition's next owner): for a handler that stops mid-batch (stopping, no capacity). Without
   * it, every record of the batch not held counts as done.
   */
  leaveFrom(record: LogRecord): void;
  heartbeat(): Promise<void>;
  /**
   * False once the consumer is stopping or this partition was taken away: leave the rest of the batch with
   * `leaveFrom` (records not left, held or paused count as done).
   */
  isActive(): boolean;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  /**
   * Longest the broker holds a fetch that finds fewer than `minBytes` (default 3 s). Records that arrive end the
   * wait at once, so this is what an idle consumer costs (one fetch per wait), not a latency; a partition resumed
   * after `pauseFrom` is read by the next fetch, so a delay line that must resume promptly sets it lower.
   */
  maxWaitMs?: number;
  /**
   * Bytes a fetch waits for (default 1: any record ends the wait). Above 1, `maxWaitMs` applies while records come:
   * after a fetch that found none, the next one returns with the first record or after the idle wait (3 s), so an
   * idle member asks no more often than one with the default, and the first record after a quiet spell is not held.
   */
  minBytes?: number;
  /**
   * Most bytes one fetch brings of one partition (default 1 MiB): the bound of a batch. A consumer whose cost is
   * per batch more than per record (the projector's read-model writes) reads a backlog in fewer, larger batches.
   */
  maxBytesPerPartition?: number;
  /** Throwing makes the batch be read again (after a back-off); handlers catch per-record failures themselves. */
  onBatch(batch: PartitionBatch, control: BatchControl): Promise<void>;
  /** The partitions this member owns after a (re)balance. */
  onAssignment?(assigned: TopicPartition[]): void;
}

export interface RunningConsumer {
  /** Records handed to `onBatch` and held, not yet released. */
  readonly held: number;
  /** Stops fetching new batches (held records stay held). */
  pause(): void;
  /** Commits every partition up to its earliest unreleased record now. */
  commit(): Promise<void>;
  /** Commits what can be committed and leaves the group; held records not released stay uncommitted. */
  stop(): Promise<void>;
  health(): HealthVerdict;
}

/** A fold of a whole topic, with waits for positions (read-your-writes). */
export interface TopicView {
  /** Starts reading and resolves once everything present at start is applied. */
  start(): Promise<void>;
  /** Waits until every record written before this call is applied (concurrent callers share the work). */
  catchUp(timeoutMs?: number): Promise<void>;
  /** Waits until `position` is applied. */
  waitFor(position: RecordPosition, timeoutMs?: number): Promise<void>;
  /** `down` if its reader stopped, `degraded` if it does not catch up within `withinMs`. */
  health(withinMs?: number): Promise<HealthVerdict>;
  stop(): Promise<void>;
}

export interface PartitionRange {
  partition: number;
  /** Inclusive. */
  start: bigint;
  /** Exclusive. */
  end: bigint;
}
