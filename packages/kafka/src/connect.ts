import { type BaseEnv, brokerList, type TopicNames, topicNames } from '@hookline/core';
import type { Logger } from 'pino';
import { createKafkaEventLog } from './kafkajs/index.js';
import type { EventLog } from './port.js';
import { kafkaSecurity } from './security.js';
import { coreTopicSpecs, type TopicPolicy, topicPolicy } from './topic-specs.js';

/**
 * What every service does first: the event log on the broker (with the TLS and SASL settings of the
 * environment), the topic names, and the core topics created if missing and brought to the topic policy of the
 * environment (it throws, and the service does not start, when `config` is not compacted).
 */
export async function connectEventLog(
  env: BaseEnv,
  clientId: string,
  logger: Logger,
): Promise<{ log: EventLog; topics: TopicNames; policy: TopicPolicy }> {
  const log = createKafkaEventLog({ brokers: brokerList(env.KAFKA_BROKERS), clientId, logger, security: kafkaSecurity(env) });
  const topics = topicNames(env.HOOKLINE_TOPIC_PREFIX);
  const policy = topicPolicy(env);
  await log.ensureTopics(coreTopicSpecs(topics, env.HOOKLINE_TOPIC_PARTITIONS, policy));
  return { log, topics, policy };
}
