import { type BaseEnv, brokerList, coreTopicSpecs, type TopicNames, topicNames } from '@hookline/core';
import type { Logger } from 'pino';
import { createKafka, type KafkaClient } from './client.js';
import { ensureTopics } from './topics.js';

/** What every service does first: a Kafka client, the topic names, and the core topics created if missing. */
export async function connectKafka(env: BaseEnv, clientId: string, logger: Logger): Promise<{ kafka: KafkaClient; topics: TopicNames }> {
  const kafka = createKafka({ brokers: brokerList(env.KAFKA_BROKERS), clientId, logger });
  const topics = topicNames(env.HOOKLINE_TOPIC_PREFIX);
  await ensureTopics(kafka, coreTopicSpecs(topics, env.HOOKLINE_TOPIC_PARTITIONS));
  return { kafka, topics };
}
