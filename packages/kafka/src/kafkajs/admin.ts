import type { Admin, Kafka } from 'kafkajs';
import { EventLogError } from '../errors.js';
import type { PartitionRange, TopicSpec } from '../port.js';

export interface PartitionEnds {
  partition: number;
  low: bigint;
  high: bigint;
}

/** One admin connection per log, opened on first use and shared by views, lag, time lookups and topic setup. */
export class AdminSession {
  private connecting: Promise<Admin> | undefined;

  constructor(private readonly kafka: Kafka) {}

  private admin(): Promise<Admin> {
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** The topic's first and end offsets per partition, retried while the broker elects leaders or is briefly away. */
  async endOffsets(topic: string, timeoutMs = 30_000): Promise<PartitionEnds[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const offsets = await (await this.admin()).fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /**
   * Creates the topics that do not exist yet and waits until every partition has a leader. Safe to call from
   * every service at once: creation races and the broker's metadata catching up are retried until `timeoutMs`.
   */
  async ensureTopics(specs: TopicSpec[], timeoutMs = 60_000): Promise<void> {
    const admin = await this.admin();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((s) => !existing.has(s.topic));
        if (missing.length > 0) {
          await admin.createTopics({ topics: missing.map((s) => ({ ...s, replicationFactor: -1 })), waitForLeaders: false });
        }
        if (
          await allHaveLeaders(
            admin,
            specs.map((s) => s.topic),
          )
        )
          return;
      } catch (error) {
        // Another service created the same topic a moment ago, or metadata is still propagating.
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new EventLogError(`topics not ready after ${timeoutMs} ms: ${specs.map((s) => s.topic).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** An offset of -1 from the broker means no record at or after the time: the range starts (or ends) at the log end. */
  async offsetsForTime(topic: string, sinceMs: number, untilMs?: number): Promise<PartitionRange[]> {
    const admin = await this.admin();
    const ends = await this.endOffsets(topic);
    const high = new Map(ends.map((p) => [p.partition, p.high]));
    const at = async (ms: number) =>
      new Map(
        (await admin.fetchTopicOffsetsByTimestamp(topic, ms)).map((p) => [
          p.partition,
          p.offset === '-1' ? high.get(p.partition)! : BigInt(p.offset),
        ]),
      );
    const starts = await at(sinceMs);
    const stops = untilMs === undefined ? high : await at(untilMs);
    return [...high.keys()]
      .sort((a, b) => a - b)
      .map((partition) => ({ partition, start: starts.get(partition)!, end: stops.get(partition)! }));
  }

  /**
   * Records between the group's committed offsets and the end of each partition, summed per topic. Nothing
   * committed yet: the group starts from the beginning, so everything still there is behind.
   */
  async groupLag(groupId: string, topics: string[]): Promise<Map<string, number>> {
    const admin = await this.admin();
    const committed = await admin.fetchOffsets({ groupId, topics });
    const lag = new Map<string, number>();
    for (const { topic, partitions } of committed) {
      let behind = 0;
      for (const end of await this.endOffsets(topic)) {
        const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        behind += Math.max(0, Number(end.high) - (offset < 0 ? Number(end.low) : offset));
      }
      lag.set(topic, behind);
    }
    return lag;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await (await this.admin()).deleteGroups([groupId]);
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) await (await connecting.catch(() => undefined))?.disconnect();
  }
}

async function allHaveLeaders(admin: Admin, topics: string[]): Promise<boolean> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return metadata.length === topics.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
}
