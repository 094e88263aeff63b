import type { TopicSpec } from '@hookline/core';
import type { KafkaClient } from './client.js';

/** Creates the topics that do not exist yet; safe to call from every service at start. */
export async function ensureTopics(kafka: KafkaClient, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing.map((s) => ({ ...s, replicationFactor: -1 })), waitForLeaders: true });
    } catch (error) {
      // Another service may have created the same topics a moment ago.
      const nowExisting = new Set(await admin.listTopics());
      if (missing.some((s) => !nowExisting.has(s.topic))) throw error;
    }
  } finally {
    await admin.disconnect();
  }
}
