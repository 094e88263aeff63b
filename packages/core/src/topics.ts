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

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configEntries?: { name: string; value: string }[];
}

/** The fixed topics; retry tiers are added by whoever knows the schedules. */
export function coreTopicSpecs(names: TopicNames, partitions: number): TopicSpec[] {
  const compacted = [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'min.compaction.lag.ms', value: '0' },
  ];
  return [
    { topic: names.events, numPartitions: partitions },
    // One partition keeps config changes totally ordered, so "caught up to offset N" has one meaning.
    { topic: names.config, numPartitions: 1, configEntries: compacted },
    { topic: names.deliveries, numPartitions: partitions },
    { topic: names.attempts, numPartitions: partitions },
    { topic: names.deadLetter, numPartitions: partitions },
    { topic: names.rejected, numPartitions: 1 },
  ];
}
