import type { TopicNames } from '@hookline/core';
import { groupConsumer, taskMessage, type ConfigView, type KafkaClient, type Producer } from '@hookline/kafka';
import type { Message } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { chunkMessages } from './chunks.js';
import { EventDecoder } from './decode.js';
import { planDeliveries } from './plan.js';

/** Under the broker's default `message.max.bytes` (1 MiB) with room to spare. */
const maxProduceBytes = 512 * 1024;

export interface FanoutDeps {
  kafka: KafkaClient;
  topics: TopicNames;
  config: ConfigView;
  producer: Producer;
  logger: Logger;
  metrics: Registry;
  groupId: string;
  /** Decodes Confluent-framed (e.g. Avro) events; without it such records are rejected. */
  schemaRegistryUrl?: string | undefined;
}

/**
 * Consumes `events` and emits delivery tasks. A batch's offsets are committed only after its tasks are on the
 * broker, so a crash replays the batch; delivery ids are deterministic, so the replay produces the same ids.
 */
export async function startFanout({ kafka, topics, config, producer, logger, metrics, groupId, schemaRegistryUrl }: FanoutDeps) {
  const eventsSeen = new Counter({ name: 'hookline_fanout_events_total', help: 'Events fanned out', registers: [metrics] });
  const tasksOut = new Counter({ name: 'hookline_fanout_tasks_total', help: 'Delivery tasks emitted', registers: [metrics] });
  const rejectedOut = new Counter({ name: 'hookline_fanout_rejected_total', help: 'Unreadable events sent to rejected', registers: [metrics] });

  const decoder = new EventDecoder(schemaRegistryUrl);
  const consumer = groupConsumer(kafka, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic: topics.events, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      if (batch.messages.length === 0) return;
      // Every endpoint created before these events were accepted must be in the index: catch up first.
      await config.catchUp();
      const deliveries: Message[] = [];
      const rejected: Message[] = [];
      for (const message of batch.messages) {
        const event = await decoder.parse(message.value);
        if (!event.ok) {
          rejected.push({ key: message.key, value: JSON.stringify({ reason: event.reason, topic: batch.topic, partition: batch.partition, offset: message.offset, value: message.value?.toString('base64') ?? null }) });
          continue;
        }
        for (const task of planDeliveries(event.value, config.state)) {
          deliveries.push(taskMessage(task));
        }
      }
      // Bounded requests (one event to 10,000 endpoints is ~13 MB of tasks), one at a time so each endpoint's
      // tasks keep their order.
      const requests = chunkMessages(deliveries, maxProduceBytes).map((messages) => [{ topic: topics.deliveries, messages }]);
      if (rejected.length) requests.push([{ topic: topics.rejected, messages: rejected }]);
      for (const topicMessages of requests) await producer.sendBatch({ acks: -1, topicMessages });
      eventsSeen.inc(batch.messages.length - rejected.length);
      tasksOut.inc(deliveries.length);
      rejectedOut.inc(rejected.length);
      if (rejected.length) logger.warn({ count: rejected.length }, 'rejected unreadable events');
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
  return consumer;
}
