import { type BaseEnv, parseDuration, type TopicNames } from '@hookline/core';
import type { TopicSpec } from './port.js';

/**
 * Topics carrying whole events (events, delivery tasks, retry tiers, dead letters) accept records well above
 * ingest's 1 MiB body limit: an event at that limit grows when it is wrapped in an envelope and then a delivery
 * task, and the broker's default (1 MiB) would refuse it after ingest had accepted it.
 */
export const LARGE_RECORDS = { name: 'max.message.bytes', value: String(4 * 1024 * 1024) };

/** The topics whose retention is set per topic (`config` is compacted: it keeps every key's latest record). */
export const retentionKinds = ['events', 'deliveries', 'retry', 'attempts', 'dead-letter', 'rejected'] as const;
export type RetentionKind = (typeof retentionKinds)[number];

/**
 * How Hookline's topics are kept, from the environment. Replication and `min.insync.replicas` left unset are
 * chosen at creation from the cluster's size (`ensureTopics`: min(3, brokers) replicas, one fewer in sync).
 */
export interface TopicPolicy {
  replicationFactor?: number | undefined;
  minInsyncReplicas?: number | undefined;
  retentionMs: Record<RetentionKind, number>;
  /** Per partition; -1: no size limit, so a backlog is never deleted for its size (only for its age). */
  retentionBytes: number;
}

const day = 24 * 60 * 60_000;

/** A week for the pipeline's topics (a backlog survives a long outage); a month for what people look at later. */
export const defaultTopicPolicy: TopicPolicy = {
  retentionMs: { events: 7 * day, deliveries: 7 * day, retry: 7 * day, attempts: 7 * day, 'dead-letter': 30 * day, rejected: 30 * day },
  retentionBytes: -1,
};

/** The failure when `HOOKLINE_TOPIC_RETENTION` names a topic kind that does not exist or a duration that is not one. */
export class TopicPolicyError extends Error {
  override readonly name = 'TopicPolicyError';
}

/** `HOOKLINE_TOPIC_RETENTION` is `kind=duration` pairs (`events=3d,dead-letter=90d`); kinds not named keep the default. */
export function topicPolicy(
  env: Pick<
    BaseEnv,
    | 'HOOKLINE_TOPIC_REPLICATION_FACTOR'
    | 'HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS'
    | 'HOOKLINE_TOPIC_RETENTION'
    | 'HOOKLINE_TOPIC_RETENTION_BYTES'
  >,
): TopicPolicy {
  const retentionMs = { ...defaultTopicPolicy.retentionMs };
  for (const pair of env.HOOKLINE_TOPIC_RETENTION.split(',').filter((p) => p.trim())) {
    const [kind, duration] = pair.split('=').map((part) => part.trim());
    if (!retentionKinds.includes(kind as RetentionKind))
      throw new TopicPolicyError(`HOOKLINE_TOPIC_RETENTION: unknown topic "${kind}" (expected one of ${retentionKinds.join(', ')})`);
    try {
      retentionMs[kind as RetentionKind] = parseDuration(duration ?? '');
    } catch {
      throw new TopicPolicyError(`HOOKLINE_TOPIC_RETENTION: "${duration}" for ${kind} is not a duration (e.g. 7d, 12h)`);
    }
  }
  return {
    replicationFactor: env.HOOKLINE_TOPIC_REPLICATION_FACTOR,
    minInsyncReplicas: env.HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS,
    retentionMs,
    retentionBytes: env.HOOKLINE_TOPIC_RETENTION_BYTES,
  };
}

function kept(policy: TopicPolicy, kind: RetentionKind): Pick<TopicSpec, 'replicationFactor' | 'minInsyncReplicas' | 'configEntries'> {
  return {
    replicationFactor: policy.replicationFactor,
    minInsyncReplicas: policy.minInsyncReplicas,
    configEntries: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(policy.retentionMs[kind]) },
      { name: 'retention.bytes', value: String(policy.retentionBytes) },
    ],
  };
}

/** A retry tier's topic: it carries whole delivery tasks. */
export function retryTopicSpec(names: TopicNames, tier: string, partitions: number, policy = defaultTopicPolicy): TopicSpec {
  const spec = kept(policy, 'retry');
  return { topic: names.retry(tier), numPartitions: partitions, ...spec, configEntries: [...spec.configEntries!, LARGE_RECORDS] };
}

/** The fixed topics; retry tiers are added by whoever knows the schedules. */
export function coreTopicSpecs(names: TopicNames, partitions: number, policy = defaultTopicPolicy): TopicSpec[] {
  const large = (kind: RetentionKind) => {
    const spec = kept(policy, kind);
    return { ...spec, configEntries: [...spec.configEntries!, LARGE_RECORDS] };
  };
  return [
    { topic: names.events, numPartitions: partitions, ...large('events') },
    {
      // One partition keeps config changes totally ordered, so "caught up to offset N" has one meaning.
      topic: names.config,
      numPartitions: 1,
      replicationFactor: policy.replicationFactor,
      minInsyncReplicas: policy.minInsyncReplicas,
      configEntries: [{ name: 'min.compaction.lag.ms', value: '0' }],
      // The API-key and endpoint database: never turned into a deleting topic behind an operator's back, and a
      // service does not start on one (records older than the retention would be gone).
      required: [{ name: 'cleanup.policy', value: 'compact' }],
    },
    { topic: names.deliveries, numPartitions: partitions, ...large('deliveries') },
    { topic: names.attempts, numPartitions: partitions, ...kept(policy, 'attempts') },
    { topic: names.deadLetter, numPartitions: partitions, ...large('dead-letter') },
    { topic: names.rejected, numPartitions: 1, ...large('rejected') },
  ];
}
