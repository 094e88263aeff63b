import type { Admin, Consumer, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { worstOf, type HealthVerdict } from '@hookline/core';
import type { KafkaClient } from './client.js';

const tracked = new WeakMap<Consumer, () => HealthVerdict>();

/** The health of a consumer made by `groupConsumer` (or `TopicView`), which track theirs from creation on. */
export function consumerHealthOf(consumer: Consumer): () => HealthVerdict {
  return tracked.get(consumer) ?? (() => ({ status: 'ok' }));
}

/**
 * Follows a consumer's lifecycle events: `down` after a crash it will not recover from or after it stopped,
 * `degraded` while it (re)joins its group, `ok` once it has partitions to work on (or an empty assignment).
 */
export function consumerHealth(consumer: Consumer, name: string): () => HealthVerdict {
  let verdict: HealthVerdict = { status: 'degraded', reason: `${name}: joining its consumer group` };
  const { CRASH, GROUP_JOIN, REBALANCING, STOP } = consumer.events;
  consumer.on(GROUP_JOIN, () => (verdict = { status: 'ok' }));
  consumer.on(REBALANCING, () => (verdict = { status: 'degraded', reason: `${name}: rebalancing` }));
  consumer.on(CRASH, ({ payload }) => {
    const message = payload.error?.message ?? 'unknown error';
    verdict = payload.restart
      ? { status: 'degraded', reason: `${name}: restarting after a crash: ${message}` }
      : { status: 'down', reason: `${name}: crashed: ${message}` };
  });
  consumer.on(STOP, () => (verdict = { status: 'down', reason: `${name}: stopped` }));
  const check = () => verdict;
  tracked.set(consumer, check);
  return check;
}

/** `down` while the producer is disconnected (kafkajs reconnects by itself; until then nothing can be written). */
export function producerHealth(producer: Producer): () => HealthVerdict {
  let connected = true; // checked after connect() resolved
  producer.on(producer.events.CONNECT, () => (connected = true));
  producer.on(producer.events.DISCONNECT, () => (connected = false));
  return () => (connected ? { status: 'ok' } : { status: 'down', reason: 'producer disconnected' });
}

export interface ConsumerLagOptions {
  kafka: KafkaClient;
  groupId: string;
  topics: string[];
  registry: Registry;
  logger: Logger;
  intervalMs: number;
  /** Lag (records, per topic) above which the check reports `degraded`; undefined: never (e.g. retry tiers, where waiting is the point). */
  maxLag?: number;
}

const lagMetric = 'hookline_consumer_lag_messages';

/**
 * Measures a consumer group's lag per topic (records between its committed offsets and the end of each
 * partition, summed over partitions) on a timer from the admin API, so it is right even when the consumer is
 * stuck. Exposes it as `hookline_consumer_lag_messages{group,topic}` and as a health check.
 */
export class ConsumerLagMonitor {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly gauge: Gauge<'group' | 'topic'>;
  readonly lag = new Map<string, number>();
  private error: string | undefined;

  constructor(private readonly options: ConsumerLagOptions) {
    // One gauge per registry, shared by every monitor of the process (delivery runs two groups).
    this.gauge =
      (options.registry.getSingleMetric(lagMetric) as Gauge<'group' | 'topic'> | undefined) ??
      new Gauge({ name: lagMetric, help: 'Records a consumer group has not committed yet, per topic (summed over partitions)', labelNames: ['group', 'topic'], registers: [options.registry] });
  }

  async start(): Promise<void> {
    this.admin = this.options.kafka.admin();
    await this.admin.connect();
    await this.measure();
    this.timer = setInterval(() => void this.measure(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.admin?.disconnect();
  }

  async measure(): Promise<void> {
    const { groupId, topics, logger } = this.options;
    try {
      const committed = await this.admin!.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = await this.admin!.fetchTopicOffsets(topic);
        let lag = 0;
        for (const end of ends) {
          const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          // Nothing committed yet: the group starts from the beginning, so everything still there is behind.
          lag += Math.max(0, Number(end.high) - (offset < 0 ? Number(end.low) : offset));
        }
        this.lag.set(topic, lag);
        this.gauge.set({ group: groupId, topic }, lag);
      }
      this.error = undefined;
    } catch (error) {
      this.error = (error as Error).message;
      logger.warn({ err: error, groupId }, 'measuring consumer lag failed');
    }
  }

  health(): HealthVerdict {
    if (this.error) return { status: 'degraded', reason: `consumer lag of ${this.options.groupId} unknown: ${this.error}` };
    const { maxLag } = this.options;
    if (maxLag === undefined) return { status: 'ok' };
    const behind = [...this.lag].filter(([, lag]) => lag > maxLag);
    if (behind.length === 0) return { status: 'ok' };
    return {
      status: 'degraded',
      reason: behind.map(([topic, lag]) => `${this.options.groupId} is ${lag} records behind on ${topic} (limit ${maxLag})`).join('; '),
    };
  }
}

export interface KafkaHealthParts {
  config?: { health(): HealthVerdict | Promise<HealthVerdict> };
  producer?: Producer;
  consumers?: Record<string, Consumer>;
  lag?: ConsumerLagMonitor[];
}

/** The `/health` checks of a Kafka service: its config view, producer, consumers, and consumer lag. */
export function kafkaHealthChecks({ config, producer, consumers = {}, lag = [] }: KafkaHealthParts): Record<string, () => HealthVerdict | Promise<HealthVerdict>> {
  const checks: Record<string, () => HealthVerdict | Promise<HealthVerdict>> = {};
  if (config) checks.config = () => config.health();
  if (producer) checks.producer = producerHealth(producer);
  for (const [name, consumer] of Object.entries(consumers)) checks[name] = consumerHealthOf(consumer);
  if (lag.length) checks.consumerLag = () => worstOf(lag.map((m) => m.health()));
  return checks;
}
