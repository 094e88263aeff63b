import { assertNamespace } from '../errors.js';
import type {
  EventLog,
  GroupConsumerOptions,
  GroupTopicProgress,
  LogRecord,
  PartitionRange,
  RecordPublisher,
  RunningConsumer,
  TopicSpec,
  TopicView,
} from '../port.js';
import { MemoryGroup, partitionKey } from './group.js';
import { MemoryGroupMember } from './group-member.js';
import { MemoryPublisher, type PublishFaults } from './publisher.js';
import { partitionForKey, TopicStore } from './topic-store.js';
import { MemoryTopicView } from './view.js';

export interface MemoryEventLogOptions {
  /** Partitions of a topic created without a spec (by a write or a consumer before `ensureTopics`); default 4. */
  defaultPartitions?: number;
  /** Most records handed to one `onBatch` (default 500). */
  maxBatchRecords?: number;
  /** How long a partition waits before a batch whose handler threw is read again (default 100 ms). */
  retryBackoffMs?: number;
  /** Told about handler failures and unreadable view records (default: ignored, as the handler's own log says it). */
  onError?: (error: unknown, where: { topic: string; partition: number }) => void;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The next offset the group reads. */
  offset: bigint;
}

/**
 * The event log in memory, with the broker's semantics (see `port.ts`), for fast unit tests of whatever is
 * built on the port. Time-driven parts (`pauseFrom`, back-off, views' lag) use `setTimeout` and `Date.now()`,
 * so `vi.useFakeTimers()` drives them.
 */
export class MemoryEventLog implements EventLog {
  private readonly store: TopicStore;
  private readonly groups = new Map<string, MemoryGroup>();
  private readonly consumers = new Set<MemoryGroupMember>();
  private readonly views = new Set<MemoryTopicView>();
  private readonly faults: PublishFaults = { failure: undefined };

  constructor(private readonly options: MemoryEventLogOptions = {}) {
    this.store = new TopicStore(options.defaultPartitions ?? 4);
  }

  async publisher(): Promise<RecordPublisher> {
    return new MemoryPublisher(this.store, this.faults);
  }

  async consume(options: GroupConsumerOptions): Promise<RunningConsumer> {
    const member = new MemoryGroupMember(this.group(options.groupId), this.store, options, {
      maxBatchRecords: this.options.maxBatchRecords ?? 500,
      retryBackoffMs: this.options.retryBackoffMs ?? 100,
      onHandlerError: this.options.onError,
    });
    this.consumers.add(member);
    await member.start();
    return member;
  }

  view(topic: string, apply: (record: LogRecord) => void): TopicView {
    const view = new MemoryTopicView(this.store, topic, apply, (error, record) => this.options.onError?.(error, record));
    this.views.add(view);
    return view;
  }

  async offsetsForTime(topic: string, sinceMs: number, untilMs?: number): Promise<PartitionRange[]> {
    return this.store.get(topic).partitions.map((records, partition) => {
      const at = (ms: number) => {
        const index = records.findIndex((r) => r.timestamp >= ms);
        return BigInt(index < 0 ? records.length : index);
      };
      return { partition, start: at(sinceMs), end: untilMs === undefined ? BigInt(records.length) : at(untilMs) };
    });
  }

  async readRanges(topic: string, ranges: PartitionRange[], onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    const partitions = this.store.get(topic).partitions;
    const size = this.options.maxBatchRecords ?? 500;
    for (const { partition, start, end } of ranges) {
      const records = (partitions[partition] ?? []).slice(Number(start), Number(end));
      for (let i = 0; i < records.length; i += size) await onRecords(records.slice(i, i + size));
    }
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    for (const spec of specs) this.store.ensure(spec);
  }

  async groupProgress(groupId: string, topics: string[]): Promise<Map<string, GroupTopicProgress>> {
    const committed = this.groups.get(groupId)?.committed;
    const progress = new Map<string, GroupTopicProgress>();
    for (const topic of topics) {
      let lag = 0;
      let done = 0;
      (this.store.find(topic)?.partitions ?? []).forEach((records, partition) => {
        const at = Number(committed?.get(partitionKey(topic, partition)) ?? 0n);
        lag += records.length - at;
        done += at;
      });
      progress.set(topic, { lag, committed: done });
    }
    return progress;
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.groups.get(groupId)?.assertEmpty();
    this.groups.delete(groupId);
  }

  async deleteNamespace(prefix: string): Promise<string[]> {
    assertNamespace(prefix);
    return this.store.deleteUnder(prefix);
  }

  /** Stops every consumer and view made by this log. */
  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await Promise.all([...this.views].map((v) => v.stop()));
  }

  // ---- Test aids: not part of the port; for asserting on what was written and committed. ----

  /** Every record of `topic` in the order it was appended (across partitions). */
  records(topic: string): LogRecord[] {
    return [...(this.store.find(topic)?.appended ?? [])];
  }

  /** The values of `topic`'s records parsed as JSON, in append order (null for a tombstone). */
  values<T = unknown>(topic: string): T[] {
    return this.records(topic).map((r) => (r.value === null ? null : JSON.parse(r.value.toString())) as T);
  }

  /** The offsets `groupId` has committed (the next offset it reads), per partition. */
  committed(groupId: string): CommittedOffset[] {
    return [...(this.groups.get(groupId)?.committed ?? [])].map(([key, offset]) => {
      const [topic, partition] = key.split('\u0000') as [string, string];
      return { topic, partition: Number(partition), offset };
    });
  }

  /** The partition a key lands on in `topic`. */
  partitionFor(topic: string, key: string): number {
    return partitionForKey(key, this.store.get(topic).partitions.length);
  }

  /** Makes every publish (of every publisher) fail with `error` until called again without one. */
  failPublishes(error?: Error): void {
    this.faults.failure = error;
  }

  /** The topic's partition count and policies, as created. */
  topicSpec(topic: string): TopicSpec | undefined {
    const found = this.store.find(topic);
    return found && { topic, numPartitions: found.partitions.length, configEntries: found.configEntries };
  }

  private group(groupId: string): MemoryGroup {
    const existing = this.groups.get(groupId);
    if (existing) return existing;
    const group = new MemoryGroup(groupId, this.store);
    this.groups.set(groupId, group);
    return group;
  }
}

export function createMemoryEventLog(options?: MemoryEventLogOptions): MemoryEventLog {
  return new MemoryEventLog(options);
}
