import { attemptRecord, type TopicNames } from '@hookline/core';
import type { KafkaClient } from '@hookline/kafka';
import type { Store } from '@hookline/store';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

export interface ProjectorDeps {
  kafka: KafkaClient;
  topics: TopicNames;
  store: Store;
  logger: Logger;
  metrics: Registry;
  groupId: string;
}

/** Folds `attempts` into MongoDB; offsets are committed after the write, and replays are counted once. */
export async function startProjector({ kafka, topics, store, logger, metrics, groupId }: ProjectorDeps) {
  const projected = new Counter({ name: 'hookline_projected_attempts_total', help: 'Attempts written to the read models', labelNames: ['result'], registers: [metrics] });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
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
      const fresh = await store.recordAttempt(parsed.data);
      projected.inc({ result: fresh ? 'new' : 'duplicate' });
    },
  });
  return consumer;
}
