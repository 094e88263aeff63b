import { attemptRecord, deadLetterRecord, type AttemptRecord, type TopicNames } from '@hookline/core';
import { groupConsumer, jsonOf, type ConfigView, type KafkaClient, type Producer } from '@hookline/kafka';
import type { Store } from '@hookline/store';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AlertNotifier } from './alerts/notifier.js';
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
  alerts: AlertNotifier;
}

/**
 * Folds `attempts` (and `dead-letter`, kept for replays) into MongoDB and disables endpoints that fail too often (a config change with the reason).
 * Offsets are committed after the write, and an attempt seen twice is counted once.
 */
export async function startProjector({ kafka, topics, store, config, producer, logger, metrics, groupId, alerts }: ProjectorDeps) {
  const projected = new Counter({ name: 'hookline_projected_attempts_total', help: 'Attempts written to the read models', labelNames: ['result'], registers: [metrics] });
  const disabled = new Counter({ name: 'hookline_endpoints_auto_disabled_total', help: 'Endpoints disabled after consecutive failures', registers: [metrics] });
  const consumer = groupConsumer(kafka, groupId);
  consumer.on(consumer.events.GROUP_JOIN, () => alerts.forget());
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.attempts, topics.deadLetter], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch, heartbeat }) => {
      if (batch.topic === topics.deadLetter) {
        const letters = batch.messages.map((m) => deadLetterRecord.safeParse(jsonOf(m.value))).flatMap((r) => (r.success ? [r.data] : []));
        await store.deadLetters.record(letters);
        projected.inc({ result: 'dead-letter' }, letters.length);
        return;
      }
      const attempts: AttemptRecord[] = [];
      const offsets: string[] = [];
      for (const message of batch.messages) {
        const parsed = attemptRecord.safeParse(jsonOf(message.value));
        if (parsed.success) {
          attempts.push(parsed.data);
          offsets.push(message.offset);
        } else {
          logger.error({ offset: message.offset }, 'skipping unreadable attempt');
          projected.inc({ result: 'unreadable' });
        }
      }
      // With their offsets, a batch replayed after a crash mid-write is folded into the stats exactly once.
      const { recorded, stats: updated } = await store.recordAttempts(attempts, { partition: batch.partition, offsets });
      projected.inc({ result: 'new' }, recorded);
      projected.inc({ result: 'duplicate' }, attempts.length - recorded);
      for (const [endpointId, stats] of updated) {
        const last = attempts.filter((a) => a.endpointId === endpointId).at(-1)!;
        const endpoint = disabledAfter(config.state.endpoints.get(endpointId), stats, last);
        if (!endpoint) continue;
        await config.write(producer, endpointKey(endpoint.id), endpoint);
        disabled.inc();
        logger.warn({ endpointId: endpoint.id, reason: endpoint.disabledReason }, 'endpoint disabled');
      }
      // Endpoints whose stats moved had new attempts (a replayed batch after a crash updates none).
      await alerts.afterAttempts(attempts.filter((a) => updated.has(a.endpointId)));
      await heartbeat();
    },
  });
  return consumer;
}
