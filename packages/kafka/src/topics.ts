import type { TopicSpec } from '@hookline/core';
import type { Admin } from 'kafkajs';
import type { KafkaClient } from './client.js';

/**
 * Creates the topics that do not exist yet and waits until every partition has a leader. Safe to call from
 * every service at once: creation races and the broker's metadata catching up are retried until `timeoutMs`.
 */
export async function ensureTopics(kafka: KafkaClient, specs: TopicSpec[], timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
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
      if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${specs.map((s) => s.topic).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

async function allHaveLeaders(admin: Admin, topics: string[]): Promise<boolean> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return metadata.length === topics.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
}
