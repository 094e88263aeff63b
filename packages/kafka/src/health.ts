import { type HealthVerdict, worstOf } from '@hookline/core';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { EventLog, RecordPublisher, RunningConsumer } from './port.js';

export interface ConsumerLagOptions {
  log: Pick<EventLog, 'groupProgress'>;
  groupId: string;
  topics: string[];
  registry: Registry;
  logger: Logger;
  intervalMs: number;
  /** Lag (records, per topic) above which the check reports `degraded`; undefined: never (e.g. retry tiers, where waiting is the point). */
  maxLag?: number;
  /**
   * A topic with lag on which the group has committed nothing for this long makes the check `down`: its consumer
   * is stuck (a call that never returns, a member that never rejoined), and only a restart gets it going again.
   * Undefined: never (retry tiers, where waiting is the point).
   */
  stalledAfterMs?: number;
}

/** Since when a topic with lag has had the same committed offsets (measured from the first measurement that saw both). */
interface Standstill {
  committed: number;
  since: number;
  /** How long it had lasted at the last measurement, once that reached `stalledAfterMs`; undefined before. */
  stalledMs?: number;
}

const lagMetric = 'hookline_consumer_lag_messages';

/**
 * Measures a consumer group's lag per topic (records between its committed offsets and the end of each
 * partition, summed over partitions) on a timer from the log's admin side, so it is right even when the
 * consumer is stuck. Exposes it as `hookline_consumer_lag_messages{group,topic}` and as a health check.
 */
export class ConsumerLagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private readonly gauge: Gauge<'group' | 'topic'>;
  readonly lag = new Map<string, number>();
  private readonly standstills = new Map<string, Standstill>();
  private error: string | undefined;

  constructor(private readonly options: ConsumerLagOptions) {
    // One gauge per registry, shared by every monitor of the process (delivery runs two groups).
    this.gauge =
      (options.registry.getSingleMetric(lagMetric) as Gauge<'group' | 'topic'> | undefined) ??
      new Gauge({
        name: lagMetric,
        help: 'Records a consumer group has not committed yet, per topic (summed over partitions)',
        labelNames: ['group', 'topic'],
        registers: [options.registry],
      });
  }

  async start(): Promise<void> {
    await this.measure();
    this.timer = setInterval(() => void this.measure(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  async measure(): Promise<void> {
    const { log, groupId, topics, logger } = this.options;
    try {
      const now = Date.now();
      for (const [topic, { lag, committed }] of await log.groupProgress(groupId, topics)) {
        this.lag.set(topic, lag);
        this.gauge.set({ group: groupId, topic }, lag);
        this.follow(topic, lag, committed, now);
      }
      this.error = undefined;
    } catch (error) {
      this.error = (error as Error).message;
      logger.warn({ err: error, groupId }, 'measuring consumer lag failed');
    }
  }

  /**
   * A topic stands still while it has lag and its committed offsets do not move; nothing waiting is no standstill.
   * Judged here, at each measurement, and logged once when it first counts as stalled.
   */
  private follow(topic: string, lag: number, committed: number, now: number): void {
    if (lag === 0) {
      this.standstills.delete(topic);
      return;
    }
    const standstill = this.standstills.get(topic);
    if (!standstill || standstill.committed !== committed) {
      this.standstills.set(topic, { committed, since: now });
      return;
    }
    const { stalledAfterMs } = this.options;
    const lasted = now - standstill.since;
    if (stalledAfterMs === undefined || lasted < stalledAfterMs) return;
    if (standstill.stalledMs === undefined) {
      this.options.logger.error(
        { groupId: this.options.groupId, topic, lag, stalledMs: lasted },
        'consumer group commits nothing while records wait; /health says down until it moves',
      );
    }
    standstill.stalledMs = lasted;
  }

  health(): HealthVerdict {
    if (this.error) return { status: 'degraded', reason: `consumer lag of ${this.options.groupId} unknown: ${this.error}` };
    const stalled = [...this.standstills].flatMap(([topic, { stalledMs }]) =>
      stalledMs === undefined
        ? []
        : [
            `${this.options.groupId} has committed nothing on ${topic} for ${Math.round(stalledMs / 1000)} s while ${this.lag.get(topic) ?? 0} records wait`,
          ],
    );
    if (stalled.length) return { status: 'down', reason: stalled.join('; ') };
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
  publisher?: Pick<RecordPublisher, 'health'>;
  consumers?: Record<string, Pick<RunningConsumer, 'health'>>;
  lag?: ConsumerLagMonitor[];
}

/** The `/health` checks of a service on the event log: its config view, publisher, consumers, and consumer lag. */
export function kafkaHealthChecks({
  config,
  publisher,
  consumers = {},
  lag = [],
}: KafkaHealthParts): Record<string, () => HealthVerdict | Promise<HealthVerdict>> {
  const checks: Record<string, () => HealthVerdict | Promise<HealthVerdict>> = {};
  if (config) checks.config = () => config.health();
  if (publisher) checks.producer = () => publisher.health();
  for (const [name, consumer] of Object.entries(consumers)) checks[name] = () => consumer.health();
  if (lag.length) checks.consumerLag = () => worstOf(lag.map((m) => m.health()));
  return checks;
}
