import type { DeliveryTask } from '@hookline/core';
import type { Kafka as KafkaClient, LogEntry, Message, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { Logger } from 'pino';
import { consumerHealth } from './legacy-health.js';

const { Kafka, logLevel, Partitioners } = kafkajs;

export type { KafkaClient, Producer };

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka({ brokers, clientId, logger }: KafkaOptions): KafkaClient {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    // kafkajs is chatty at INFO (every join/leave); keep its warnings and errors.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger[levels[level] ?? 'info'](rest, message);
      },
    retry: { initialRetryTime: 200, retries: 12, maxRetryTime: 5_000 },
  });
}

/**
 * Producer for everything Hookline writes: acks=all, so a send that resolved is on every in-sync replica, and
 * retried until the broker answers.
 *
 * Not idempotent, on purpose. kafkajs' idempotent mode rolls a partition's sequence number back when a produce
 * request fails, even when the broker had written it (the connection dropped before the answer). Another send
 * that takes the rolled-back numbers in the meantime is then taken by the broker for a retry of the written one
 * and acknowledged without being written: silently lost (kafkajs 2.2.4 `producer/sendMessages.js`). That
 * matches the one loss the fault suite's broker outage showed: a missing record next to a record written twice.
 * Every consumer here is idempotent anyway (deterministic
 * delivery and attempt ids, the config fold), so a duplicate from a retry costs nothing and a loss is ruled out.
 */
export async function connectProducer(kafka: KafkaClient): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: false,
    maxInFlightRequests: 5,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
  });
  await producer.connect();
  return producer;
}

/** A delivery task as a record of `deliveries` or a retry tier: keyed by endpoint, for per-endpoint order. */
export function taskMessage(task: DeliveryTask): Message {
  return { key: task.endpointId, value: JSON.stringify(task) };
}

/**
 * A consumer-group member as every Hookline service runs one: a 10 s session timeout (a crashed instance's
 * partitions move on within seconds, not the default 30) and no topic auto-creation.
 */
export function groupConsumer(kafka: KafkaClient, groupId: string, options: { maxWaitTimeInMs?: number } = {}) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, allowAutoTopicCreation: false, ...options });
  consumerHealth(consumer, groupId); // from creation on, so no lifecycle event is missed (see consumerHealthOf)
  return consumer;
}

/** A record value parsed as JSON, or null when it is empty or not JSON (the caller's schema check rejects it). */
export function jsonOf(value: Buffer | null): unknown {
  try {
    return JSON.parse(value?.toString() ?? 'null');
  } catch {
    return null;
  }
}
