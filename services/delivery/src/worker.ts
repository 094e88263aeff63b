import { attemptIdFor, deliveryTask, type AttemptRecord, type TopicNames } from '@hookline/core';
import type { ConfigView, KafkaClient, Producer } from '@hookline/kafka';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Sender } from './sender.js';

export interface DeliveryWorkerDeps {
  kafka: KafkaClient;
  topics: TopicNames;
  config: ConfigView;
  producer: Producer;
  sender: Sender;
  logger: Logger;
  metrics: Registry;
  groupId: string;
  partitionsConsumedConcurrently: number;
}

/** Consumes delivery tasks, makes the attempt, and records its outcome on `attempts` before committing. */
export async function startDeliveryWorker(deps: DeliveryWorkerDeps) {
  const { kafka, topics, config, producer, sender, logger, metrics } = deps;
  const outcomes = new Counter({ name: 'hookline_deliveries_total', help: 'Delivery attempts by outcome', labelNames: ['outcome'], registers: [metrics] });
  const latency = new Histogram({
    name: 'hookline_attempt_duration_seconds',
    help: 'Time from request start to response or error',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metrics],
  });

  const consumer = kafka.consumer({ groupId: deps.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.deliveries, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: deps.partitionsConsumedConcurrently,
    eachMessage: async ({ message }) => {
      const parsed = deliveryTask.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
      if (!parsed.success) {
        logger.error({ offset: message.offset }, 'skipping unreadable delivery task');
        return;
      }
      const task = parsed.data;
      const endpoint = config.state.endpoints.get(task.endpointId);
      let attempt: AttemptRecord;
      if (!endpoint) {
        attempt = {
          attemptId: attemptIdFor(task.deliveryId, task.attempt),
          deliveryId: task.deliveryId,
          eventId: task.eventId,
          eventType: task.event.type,
          endpointId: task.endpointId,
          tenantId: task.tenantId,
          attempt: task.attempt,
          url: '',
          startedAt: new Date().toISOString(),
          durationMs: 0,
          outcome: 'failure',
          errorClass: 'endpoint_deleted',
          errorMessage: 'endpoint no longer exists',
          final: true,
        };
      } else {
        attempt = await sender.send(task, endpoint);
      }
      outcomes.inc({ outcome: attempt.outcome });
      latency.observe(attempt.durationMs / 1000);
      await producer.send({ topic: topics.attempts, acks: -1, messages: [{ key: task.endpointId, value: JSON.stringify(attempt) }] });
    },
  });
  return consumer;
}
