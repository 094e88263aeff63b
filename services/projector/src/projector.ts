import { attemptRecord, type TopicNames } from '@hookline/core';
import { groupConsumer, type ConfigView, type KafkaClient, type Producer } from '@hookline/kafka';
import type { Store } from '@hookline/store';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { disabledAfter, endpointKey } from './auto-disable.js';

export interface ProjectorDeps {
  kafka: KafkaClient;
  topics: TopicNames;
  store: Store;
  config: ConfigView;
  producer: Producer;
  logger: Logger;
  metrics: Registry;
  groupId: string;
}

/**
 * Folds `attempts` into MongoDB and disables endpoints that fail too often (a config change with the reason).
 * Offsets are committed after the write, and an attempt seen twice is counted once.
 */
export async function startProjector({ kafka, topics, store, config, producer, logger, metrics, groupId }: ProjectorDeps) {
  const projected = new Counter({ name: 'hookline_projected_attempts_total', help: 'Attempts written to the read models', labelNames: ['result'], registers: [metrics] });
  const disabled = new Counter({ name: 'hookline_endpoints_auto_disabled_total', help: 'Endpoints disabled after consecutive failures', registers: [metrics] });
  const consumer = groupConsumer(kafka, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic: topics.attempts, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = attemptRecord.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
      if (!parsed.success) {
        logger.error({ offset: message.offset }, 'skipping unreadable attempt');
        projected.inc({ result: 'unreadable' });
        return;
      }
      const stats = await store.recordAttempt(parsed.data);
      projected.inc({ result: stats ? 'new' : 'duplicate' });
      if (!stats) return;
      const endpoint = disabledAfter(config.state.endpoints.get(parsed.data.endpointId), stats, parsed.data);
      if (endpoint) {
        await config.write(producer, endpointKey(endpoint.id), endpoint);
        disabled.inc();
        logger.warn({ endpointId: endpoint.id, reason: endpoint.disabledReason }, 'endpoint disabled');
      }
    },
  });
  return consumer;
}
