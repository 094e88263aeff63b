/** Every Kafka topic Hookline uses, named from one prefix so several installations (or test runs) share a broker. */
export interface TopicNames {
  events: string;
  config: string;
  deliveries: string;
  attempts: string;
  deadLetter: string;
  rejected: string;
  retry(tier: string): string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    events: `${prefix}events`,
    config: `${prefix}config`,
    deliveries: `${prefix}deliveries`,
    attempts: `${prefix}attempts`,
    deadLetter: `${prefix}dead-letter`,
    rejected: `${prefix}rejected`,
    retry: (tier) => `${prefix}retry.${tier}`,
  };
}

/** @deprecated moved to `@hookline/kafka` (broker settings are the port's business); removed at the end of issue 12. */
export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configEntries?: { name: string; value: string }[];
}

/**
 * Topics carrying whole events (events, delivery tasks, retry tiers, dead letters) accept records well above
 * ingest's 1 MiB body limit: an event at that limit grows when it is wrapped in an envelope and then a delivery
 * task, and the broker's default (1 MiB) would refuse it after ingest had accepted it.
 */
/** @deprecated moved to `@hookline/kafka`. */
export const LARGE_RECORDS = { name: 'max.message.bytes', value: String(4 * 1024 * 1024) };

/** @deprecated moved to `@hookline/kafka`. A retry tier's topic: it carries whole delivery tasks. */
export function retryTopicSpec(names: TopicNames, tier: string, partitions: number): TopicSpec {
  return { topic: names.retry(tier), numPartitions: partitions, configEntries: [LARGE_RECORDS] };
}

/** @deprecated moved to `@hookline/kafka`. The fixed topics; retry tiers are added by whoever knows the schedules. */
export function coreTopicSpecs(names: TopicNames, partitions: number): TopicSpec[] {
  const compacted = [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'min.compaction.lag.ms', value: '0' },
  ];
  return [
    { topic: names.events, numPartitions: partitions, configEntries: [LARGE_RECORDS] },
    // One partition keeps config changes totally ordered, so "caught up to offset N" has one meaning.
    { topic: names.config, numPartitions: 1, configEntries: compacted },
    { topic: names.deliveries, numPartitions: partitions, configEntries: [LARGE_RECORDS] },
    { topic: names.attempts, numPartitions: partitions },
    { topic: names.deadLetter, numPartitions: partitions, configEntries: [LARGE_RECORDS] },
    { topic: names.rejected, numPartitions: 1, configEntries: [LARGE_RECORDS] },
  ];
}
