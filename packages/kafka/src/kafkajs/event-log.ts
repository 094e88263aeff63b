import type { Logger } from 'pino';
import type {
  EventLog,
  GroupConsumerOptions,
  LogRecord,
  PartitionRange,
  PublisherOptions,
  RecordPublisher,
  RunningConsumer,
  TopicSpec,
  TopicView,
} from '../port.js';
import type { KafkaSecurity } from '../security.js';
import { AdminSession } from './admin.js';
import { createKafkaClient, createProducer } from './client.js';
import { KafkaGroupConsumer } from './group-consumer.js';
import { KafkaPublisher } from './publisher.js';
import { readRanges } from './read-ranges.js';
import { KafkaTopicView } from './view.js';

export interface KafkaEventLogOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** TLS and SASL (plaintext when unset); `kafkaSecurity(env)` builds it from the environment. */
  security?: KafkaSecurity;
}

/** The event log on a real broker through kafkajs (the only code that imports it). */
export function createKafkaEventLog({ brokers, clientId, logger, security }: KafkaEventLogOptions): EventLog {
  const kafka = createKafkaClient({ brokers, clientId, logger, security });
  const admin = new AdminSession(kafka);
  const publishers = new Set<RecordPublisher>();
  const consumers = new Set<RunningConsumer>();
  const views = new Set<TopicView>();

  return {
    async publisher(options?: PublisherOptions): Promise<RecordPublisher> {
      const producer = createProducer(kafka);
      await producer.connect();
      const publisher = new KafkaPublisher(producer, options);
      publishers.add(publisher);
      return publisher;
    },
    async consume(options: GroupConsumerOptions): Promise<RunningConsumer> {
      const consumer = new KafkaGroupConsumer(kafka, options, logger);
      await consumer.start();
      consumers.add(consumer);
      return consumer;
    },
    view(topic: string, apply: (record: LogRecord) => void): TopicView {
      const view = new KafkaTopicView(kafka, admin, topic, apply, logger);
      views.add(view);
      return view;
    },
    offsetsForTime: (topic: string, sinceMs: number, untilMs?: number): Promise<PartitionRange[]> =>
      admin.offsetsForTime(topic, sinceMs, untilMs),
    readRanges: (topic, ranges, onRecords) => readRanges(kafka, topic, ranges, onRecords, (groupId) => admin.deleteGroup(groupId)),
    ensureTopics: (specs: TopicSpec[]) => admin.ensureTopics(specs),
    groupProgress: (groupId, topics) => admin.groupProgress(groupId, topics),
    deleteGroup: (groupId) => admin.deleteGroup(groupId),
    deleteNamespace: (prefix) => admin.deleteNamespace(prefix),
    /** Stops what this log made that is still running (each is idempotent), then the admin connection. */
    async close(): Promise<void> {
      await Promise.all([...consumers].map((c) => c.stop()));
      await Promise.all([...views].map((v) => v.stop()));
      await Promise.all([...publishers].map((p) => p.close()));
      await admin.close();
    },
  };
}
