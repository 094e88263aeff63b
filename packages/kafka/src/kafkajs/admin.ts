import type { Admin, Kafka } from 'kafkajs';
import kafkajs from 'kafkajs';
import { assertNamespace, EventLogError, TopicMisconfiguredError } from '../errors.js';
import type { GroupTopicProgress, PartitionRange, TopicSpec } from '../port.js';

const { ConfigResourceTypes, ConfigSource } = kafkajs;

type ConfigEntry = { name: string; value: string };

export interface PartitionEnds {
  partition: number;
  low: bigint;
  high: bigint;
}

/**
 * How long the admin trusts its topic metadata (partitions and leaders). A view's catch-up asks for end offsets
 * many times a second; without this each ask fetched the metadata first (kafkajs' admin default is 0). A moved
 * leader or an unknown topic refreshes it at once (patched into kafkajs), and a view's own consumer finds new
 * partitions no sooner than this either.
 */
const adminMetadataMaxAgeMs = 30_000;

/** One admin connection per log, opened on first use and shared by views, lag, time lookups and topic setup. */
export class AdminSession {
  private connecting: Promise<Admin> | undefined;

  constructor(private readonly kafka: Kafka) {}

  private admin(): Promise<Admin> {
    this.connecting ??= (async () => {
      const admin = this.kafka.admin({ metadataMaxAge: adminMetadataMaxAgeMs });
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
   * Creates the topics that do not exist yet and waits until every partition has a leader, then brings every
   * topic's settings to its spec (see `applySettings`). Safe to call from every service at once: creation races
   * and the broker's metadata catching up are retried until `timeoutMs`.
   */
  async ensureTopics(specs: TopicSpec[], timeoutMs = 60_000): Promise<void> {
    const admin = await this.admin();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((s) => !existing.has(s.topic));
        if (missing.length > 0) {
          const brokers = (await admin.describeCluster()).brokers.length;
          await admin.createTopics({
            topics: missing.map((s) => {
              const replicationFactor = s.replicationFactor ?? Math.min(3, brokers);
              return { topic: s.topic, numPartitions: s.numPartitions, replicationFactor, configEntries: settingsOf(s, replicationFactor) };
            }),
            waitForLeaders: false,
          });
        }
        if (
          await allHaveLeaders(
            admin,
            specs.map((s) => s.topic),
          )
        )
          break;
      } catch (error) {
        // Another service created the same topic a moment ago, or metadata is still propagating.
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new EventLogError(`topics not ready after ${timeoutMs} ms: ${specs.map((s) => s.topic).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.applySettings(admin, specs);
  }

  /**
   * Existing topics keep what they were created with unless brought to the spec: its config entries and
   * `min.insync.replicas` are set where they differ (the replication factor itself needs a partition
   * reassignment and is left alone). A `required` entry that differs is refused, not changed: the topic's data
   * may already have suffered from it. kafkajs has no incremental alter, and `alterConfigs` replaces a topic's
   * whole set of overrides, so the topic's other overrides are sent along unchanged.
   */
  private async applySettings(admin: Admin, specs: TopicSpec[]): Promise<void> {
    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
    const replicas = new Map(topics.map((t) => [t.name, t.partitions[0]?.replicas.length ?? 1]));
    const described = await admin.describeConfigs({
      resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
      includeSynonyms: false,
    });
    const current = new Map(described.resources.map((r) => [r.resourceName, r.configEntries]));
    const changes = [];
    for (const spec of specs) {
      const entries = current.get(spec.topic) ?? [];
      const settingOf = (name: string) => entries.find((e) => e.configName === name)?.configValue;
      for (const { name, value } of spec.required ?? []) {
        if (!sameSetting(settingOf(name), value))
          throw new TopicMisconfiguredError(
            `topic ${spec.topic} has ${name}=${settingOf(name) ?? '(unset)'} but must have ${name}=${value}; fix the topic (kafka-configs --alter --entity-type topics --entity-name ${spec.topic} --add-config ${name}=${value}) after checking what it lost, then start again`,
          );
      }
      const wanted = settingsOf(spec, replicas.get(spec.topic) ?? 1).filter(
        ({ name }) => !(spec.required ?? []).some((r) => r.name === name),
      );
      if (wanted.every(({ name, value }) => sameSetting(settingOf(name), value))) continue;
      const overrides = new Map(
        entries
          .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !e.readOnly && !e.isSensitive)
          .map((e) => [e.configName, e.configValue]),
      );
      for (const { name, value } of wanted) overrides.set(name, value);
      changes.push({
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configEntries: [...overrides].map(([name, value]) => ({ name, value })),
      });
    }
    if (changes.length === 0) return;
    const answer = (await admin.alterConfigs({ validateOnly: false, resources: changes })) as {
      resources: { errorCode: number; errorMessage: string | null; resourceName: string }[];
    };
    const refused = answer.resources.filter((r) => r.errorCode !== 0);
    if (refused.length > 0)
      throw new EventLogError(
        `the broker refused topic settings: ${refused.map((r) => `${r.resourceName}: ${r.errorMessage ?? r.errorCode}`).join('; ')}`,
      );
  }

  /** What the broker reports for a topic: its replicas per partition and its settings (for checks and tests). */
  async topicSettings(topic: string): Promise<{ replicas: number; settings: Record<string, string> }> {
    const admin = await this.admin();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    return {
      replicas: meta?.partitions[0]?.replicas.length ?? 0,
      settings: Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
    };
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
   * Records between the group's committed offsets and the end of each partition, and the committed offsets
   * themselves, summed per topic. Nothing committed yet: the group starts from the beginning, so everything still
   * there is behind.
   */
  async groupProgress(groupId: string, topics: string[]): Promise<Map<string, GroupTopicProgress>> {
    const admin = await this.admin();
    const committed = await admin.fetchOffsets({ groupId, topics });
    const progress = new Map<string, GroupTopicProgress>();
    for (const { topic, partitions } of committed) {
      let lag = 0;
      let done = 0;
      for (const end of await this.endOffsets(topic)) {
        const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        const at = offset < 0 ? Number(end.low) : offset;
        lag += Math.max(0, Number(end.high) - at);
        done += at;
      }
      progress.set(topic, { lag, committed: done });
    }
    return progress;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await (await this.admin()).deleteGroups([groupId]);
  }

  async deleteNamespace(prefix: string): Promise<string[]> {
    assertNamespace(prefix);
    const admin = await this.admin();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return topics;
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

/** A spec's settings for a topic with `replicas` replicas: its config entries, `min.insync.replicas`, and its required ones. */
function settingsOf(spec: TopicSpec, replicas: number): ConfigEntry[] {
  const minInsync = spec.minInsyncReplicas ?? Math.max(1, replicas - 1);
  if (minInsync > replicas)
    throw new TopicMisconfiguredError(
      `topic ${spec.topic}: min.insync.replicas ${minInsync} is more than its ${replicas} replicas (no write could succeed)`,
    );
  return [...(spec.configEntries ?? []), { name: 'min.insync.replicas', value: String(minInsync) }, ...(spec.required ?? [])];
}

/** Compares a setting as the broker reports it with ours (lists such as `cleanup.policy` in any order). */
function sameSetting(actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false;
  const norm = (v: string) =>
    v
      .split(',')
      .map((p) => p.trim())
      .sort()
      .join(',');
  return norm(actual) === norm(wanted);
}
