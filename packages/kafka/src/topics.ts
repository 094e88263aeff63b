import type { TopicSpec } from '@hookline/core';
import type { Admin } from 'kafkajs';
import type { KafkaClient } from './client.js';

/**
 * Creates the topics that do not exist yet and waits until every partition has a leader; safe to call from
 * every service at once (whoever loses the creation race still waits for the leaders).
 */
export async function ensureTopics(kafka: KafkaClient, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({ topics: missing.map((s) => ({ ...s, replicationFactor: -1 })), waitForLeaders: true });
      } catch (error) {
        const nowExisting = new Set(await admin.listTopics());
        if (missing.some((s) => !nowExisting.has(s.topic))) throw error;
      }
    }
    await waitForLeaders(admin, specs.map((s) => s.topic));
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
