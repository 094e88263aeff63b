import type { Kafka, KafkaConfig, LogEntry, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSecurity } from '../security.js';

const { Kafka: KafkaClass, logLevel, Partitioners } = kafkajs;

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs' `ssl` and `sasl` options for Hookline's security settings (plaintext when none are set). */
function kafkajsSecurity(security: KafkaSecurity = {}): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = security;
  return {
    ...(tls ? { ssl: Object.keys(tls).length === 0 ? true : tls } : {}),
    // kafkajs' SASL config is a union keyed by mechanism; all three of ours take a username and a password.
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'] } : {}),
  };
}

export function createKafkaClient({ brokers, clientId, logger, security }: KafkaClientOptions): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new KafkaClass({
    clientId,
    brokers,
    ...kafkajsSecurity(security),
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
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: false,
    maxInFlightRequests: 5,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
  });
}
