import type { TopicNames } from '@hookline/core';
import type { TopicSpec } from './port.js';

/**
 * Topics carrying whole events (events, delivery tasks, retry tiers, dead letters) accept records well above
 * ingest's 1 MiB body limit: an event at that limit grows when it is wrapped in an envelope and then a delivery
 * task, and the broker's default (1 MiB) would refuse it after ingest had accepted it.
 */
export const LARGE_RECORDS = { name: 'max.message.bytes', value: String(4 * 1024 * 1024) };

/** A retry tier's topic: it carries whole delivery tasks. */
export function retryTopicSpec(names: TopicNames, tier: string, partitions: number): TopicSpec {
  return { topic: names.retry(tier), numPartitions: partitions, configEntries: [LARGE_RECORDS] };
}

/** The fixed topics; retry tiers are added by whoever knows the schedules. */
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
