import { topicNames } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { coreTopicSpecs, defaultTopicPolicy, retryTopicSpec, TopicPolicyError, topicPolicy } from '../src/topic-specs.js';

const env = (overrides: Partial<Parameters<typeof topicPolicy>[0]> = {}) => ({
  HOOKLINE_TOPIC_REPLICATION_FACTOR: undefined,
  HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: undefined,
  HOOKLINE_TOPIC_RETENTION: '',
  HOOKLINE_TOPIC_RETENTION_BYTES: -1,
  ...overrides,
});

describe('topic policy from the environment', () => {
  it('keeps the defaults for kinds not named and reads durations per topic', () => {
    const policy = topicPolicy(env({ HOOKLINE_TOPIC_RETENTION: 'events=3d, dead-letter=90d', HOOKLINE_TOPIC_REPLICATION_FACTOR: 3 }));
    expect(policy.retentionMs).toEqual({ ...defaultTopicPolicy.retentionMs, events: 3 * 86_400_000, 'dead-letter': 90 * 86_400_000 });
    expect(policy.replicationFactor).toBe(3);
    const spec = coreTopicSpecs(topicNames('x.'), 4, policy).find((s) => s.topic === 'x.events')!;
    expect(spec).toMatchObject({ replicationFactor: 3, minInsyncReplicas: undefined });
    expect(spec.configEntries).toContainEqual({ name: 'retention.ms', value: String(3 * 86_400_000) });
    expect(retryTopicSpec(topicNames('x.'), '5m', 4, policy).configEntries).toContainEqual({ name: 'retention.bytes', value: '-1' });
  });

  it('refuses an unknown topic kind or a bad duration with the variable named', () => {
    expect(() => topicPolicy(env({ HOOKLINE_TOPIC_RETENTION: 'evnts=3d' }))).toThrow(TopicPolicyError);
    expect(() => topicPolicy(env({ HOOKLINE_TOPIC_RETENTION: 'events=soon' }))).toThrow(/^HOOKLINE_TOPIC_RETENTION: "soon" for events/);
  });

  it('requires config to be compacted (checked, never changed) and gives it no retention', () => {
    const config = coreTopicSpecs(topicNames('x.'), 4).find((s) => s.topic === 'x.config')!;
    expect(config.required).toEqual([{ name: 'cleanup.policy', value: 'compact' }]);
    expect(config.configEntries?.some((e) => e.name.startsWith('retention'))).toBe(false);
  });
});
