import type { LogRecord, OutgoingRecord, RecordPosition, TopicSpec } from '../port.js';

export interface StoredTopic {
  name: string;
  /** Per partition, records at the index of their offset (nothing is ever truncated). */
  partitions: LogRecord[][];
  /** Every record in the order it was appended (test aids). */
  appended: LogRecord[];
  configEntries: { name: string; value: string }[];
  nextRoundRobin: number;
}

/** Deterministic: the same key always lands on the same partition of a topic (FNV-1a over the key's UTF-8). */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** The records of every topic of one in-memory log, and who to tell when one is appended. */
export class TopicStore {
  private readonly topics = new Map<string, StoredTopic>();
  private readonly listeners = new Set<(topic: string) => void>();

  constructor(private readonly defaultPartitions: number) {}

  /** Creates the topic if missing; an existing topic keeps its partitions (as on a broker). */
  ensure(spec: TopicSpec): StoredTopic {
    const existing = this.topics.get(spec.topic);
    if (existing) return existing;
    const created: StoredTopic = {
      name: spec.topic,
      partitions: Array.from({ length: spec.numPartitions }, () => []),
      appended: [],
      configEntries: spec.configEntries ?? [],
      nextRoundRobin: 0,
    };
    this.topics.set(spec.topic, created);
    return created;
  }

  /** The topic, created with the default partition count when missing (a broker with topic auto-creation). */
  get(name: string): StoredTopic {
    return this.topics.get(name) ?? this.ensure({ topic: name, numPartitions: this.defaultPartitions });
  }

  /** Deletes the topics whose names start with `prefix` and returns their names. */
  deleteUnder(prefix: string): string[] {
    const names = [...this.topics.keys()].filter((name) => name.startsWith(prefix));
    for (const name of names) this.topics.delete(name);
    return names;
  }

  find(name: string): StoredTopic | undefined {
    return this.topics.get(name);
  }

  append(topicName: string, record: OutgoingRecord): RecordPosition {
    const topic = this.get(topicName);
    const partition =
      record.key === null ? topic.nextRoundRobin++ % topic.partitions.length : partitionForKey(record.key, topic.partitions.length);
    const records = topic.partitions[partition]!;
    const stored: LogRecord = {
      topic: topicName,
      partition,
      offset: BigInt(records.length),
      key: record.key,
      value: record.value === null ? null : Buffer.from(record.value),
      headers: { ...record.headers },
      timestamp: Date.now(),
    };
    records.push(stored);
    topic.appended.push(stored);
    for (const listener of this.listeners) listener(topicName);
    return { topic: topicName, partition, offset: stored.offset };
  }

  /** Calls `listener` after every append; returns the unsubscribe. */
  onAppend(listener: (topic: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
