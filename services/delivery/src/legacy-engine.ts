import { deliveryTask, type DeliveryTask, type EndpointRecord, type TopicNames } from '@hookline/core';
import { deferTask, parkTask, resolvePolicy, routeOutcome } from '@hookline/delivery-policy';
import { OffsetBook, groupConsumer, type BatchingProducer, type TopicMessages, type ConfigView, type KafkaClient } from '@hookline/kafka';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { EndpointLimiter } from './limiter.js';
import type { DeliveryMetrics } from './metrics.js';
import type { Sender } from './sender.js';

export interface EngineOptions {
  kafka: KafkaClient;
  topics: TopicNames;
  config: ConfigView;
  producer: BatchingProducer;
  sender: Sender;
  logger: Logger;
  metrics: DeliveryMetrics;
  groupId: string;
  /** Requests in flight per endpoint unless the endpoint sets its own. */
  endpointConcurrency: number;
  /** Tasks waiting behind one endpoint before further ones are deferred to a retry tier. */
  endpointBacklog: number;
  /** Tasks accepted but unfinished across all partitions before consumption waits. */
  maxInFlight: number;
  /** Tier used to defer work of an endpoint whose backlog is full. */
  deferTier: string;
}

/** A task whose turn came after the stop's grace period: not sent, left for the partition's next owner. */
class HandedBack extends Error {}

/**
 * The delivery loop. Tasks are taken from `deliveries` as fast as they come and run concurrently, each behind
 * its endpoint's limiter, so a slow or hanging endpoint delays only itself. Offsets are committed up to the
 * earliest unfinished task of each partition; a crash redelivers at most the in-flight window, with the same
 * delivery id (so the same `webhook-id`).
 */
export class DeliveryEngine {
  consumer: Consumer | undefined;
  private readonly book = new OffsetBook();
  private readonly limiters = new Map<string, EndpointLimiter>();
  private commitTimer: NodeJS.Timeout | undefined;
  private capacityWaiters: (() => void)[] = [];
  /** Set by `stop()`: the rest of the batch in hand is left for whoever owns the partition next. */
  private stopping = false;
  /** Set once the stop's grace period is over: tasks that have not started by then are handed back. */
  private handingBack = false;
  /** Tasks handed back: left unfinished (uncommitted) for the partition's next owner. */
  private handedBack = 0;

  constructor(private readonly options: EngineOptions) {}

  async start(): Promise<void> {
    const { kafka, topics, groupId } = this.options;
    const consumer = groupConsumer(kafka, groupId, { maxWaitTimeInMs: 250 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: topics.deliveries, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment;
      this.book.retain((topic, partition) => assigned[topic]?.includes(partition) ?? false);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || this.stopping) break;
          await this.waitForCapacity(heartbeat);
          if (this.stopping) break;
          this.book.accept(batch.topic, batch.partition, message.offset);
          // Resolving moves the fetch position on; what gets committed is decided by the offset book.
          resolveOffset(message.offset);
          void this.handle(message)
            .then(
              () => this.book.finish(batch.topic, batch.partition, message.offset),
              () => this.handedBack++, // stays unfinished in the book, so its offset is never committed
            )
            .finally(() => this.releaseCapacity());
        }
        await heartbeat();
      },
    });
    this.commitTimer = setInterval(() => void this.commit(), 250);
  }

  /**
   * Stops taking tasks and lets those taken finish for up to `graceMs`; then hands back the ones that have not
   * started (still waiting behind their endpoint's limiter) and waits up to `sentMs` more for requests already
   * sent. Then it commits and leaves the group. Handed-back tasks stay uncommitted, so the partition's next
   * owner sends them (and again whatever finished after them on that partition, with the same webhook-id).
   */
  async stop(graceMs = 9_000, sentMs = 3_000): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.stopping = true;
    consumer.pause([{ topic: this.options.topics.deliveries }]);
    const unfinished = () => this.book.inFlight - this.handedBack > 0;
    const deadline = Date.now() + graceMs;
    while (unfinished() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.handingBack = true;
    const sentDeadline = Date.now() + sentMs;
    while (unfinished() && Date.now() < sentDeadline) await new Promise((r) => setTimeout(r, 50));
    await this.options.producer.drain();
    clearInterval(this.commitTimer);
    await this.commit();
    await consumer.disconnect();
  }

  get inFlight(): number {
    return this.book.inFlight;
  }

  private async commit(): Promise<void> {
    const commits = this.book.takeCommits();
    if (!commits.length || !this.consumer) return;
    try {
      await this.consumer.commitOffsets(commits);
      this.options.logger.debug({ commits, inFlight: this.book.inFlight }, 'committed');
    } catch (error) {
      // A rebalance is under way; the partitions' new owner starts from the last successful commit.
      this.options.logger.warn({ err: error }, 'offset commit failed');
    }
  }

  private async waitForCapacity(heartbeat: () => Promise<void>): Promise<void> {
    while (this.book.inFlight >= this.options.maxInFlight) {
      await new Promise<void>((resolve) => {
        this.capacityWaiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
      await heartbeat();
    }
  }

  private releaseCapacity(): void {
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async handle(message: KafkaMessage): Promise<void> {
    const { logger } = this.options;
    let task: DeliveryTask;
    try {
      task = deliveryTask.parse(JSON.parse(message.value?.toString() ?? 'null'));
    } catch (error) {
      logger.error({ err: error, offset: message.offset }, 'unreadable delivery task sent to the rejected topic');
      await this.options.producer.send([{ topic: this.options.topics.rejected, messages: [{ key: message.key, value: message.value }] }]);
      return;
    }
    // Kafka retries of our own sends can fail for long; keep trying rather than lose the outcome.
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.deliver(task);
      } catch (error) {
        if (error instanceof HandedBack) throw error;
        logger.error({ err: error, deliveryId: task.deliveryId }, 'recording a delivery outcome failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async deliver(task: DeliveryTask): Promise<void> {
    const { config, sender, metrics } = this.options;
    // A send-test goes out even to a disabled endpoint: checking it before re-enabling is what it is for.
    const usable = (e: EndpointRecord | undefined): e is EndpointRecord => Boolean(e && (e.isActive || task.test));
    let endpoint = config.state.endpoints.get(task.endpointId);
    if (!usable(endpoint)) {
      // This view may trail the config topic (an endpoint created or re-enabled a moment ago): catch up first.
      await config.catchUp();
      endpoint = config.state.endpoints.get(task.endpointId);
      if (!usable(endpoint)) return this.park(task, endpoint);
    }
    let policy = resolvePolicy(endpoint);
    const limiter = this.limiterFor(endpoint, policy.maxConcurrency, policy.rateLimitPerSecond);
    if (limiter.queued >= this.options.endpointBacklog) return this.defer(task, limiter);
    const result = await limiter.run(async () => {
      // The endpoint may have been disabled, changed or deleted while this task waited its turn.
      if (this.handingBack) throw new HandedBack();
      const current = config.state.endpoints.get(task.endpointId);
      if (!usable(current)) return undefined;
      policy = resolvePolicy(current);
      return sender.send(task, current, policy);
    });
    if (!result) return this.park(task, config.state.endpoints.get(task.endpointId));
    const routed = routeOutcome(task, result, policy, this.options.topics, Date.now());
    metrics.attempts.inc({ outcome: routed.attempt.outcome });
    metrics.attemptDuration.observe(routed.attempt.durationMs / 1000);
    if (routed.retry) metrics.retries.inc({ tier: routed.retry.tier });
    if (routed.deadLetter) metrics.deadLettered.inc({ kind: routed.deadLetter.kind });
    await this.options.producer.send(routed.records.map(asMessages));
  }

  /** Never attempted: its endpoint is disabled or gone. Kept in the dead-letter topic for a later replay. */
  private async park(task: DeliveryTask, endpoint: EndpointRecord | undefined): Promise<void> {
    const parked = parkTask(task, endpoint, this.options.topics, Date.now());
    this.options.metrics.deadLettered.inc({ kind: 'parked' });
    await this.options.producer.send(parked.records.map(asMessages));
  }

  /** The endpoint's backlog is full: hand the task to a retry tier without counting an attempt. */
  private async defer(task: DeliveryTask, limiter: EndpointLimiter): Promise<void> {
    this.options.metrics.deferred.inc();
    const deferred = deferTask(task, this.options.deferTier, limiter.drainEstimateMs, this.options.topics, Date.now());
    await this.options.producer.send(deferred.records.map(asMessages));
  }

  private limiterFor(endpoint: EndpointRecord, concurrency: number | undefined, rate: number | undefined): EndpointLimiter {
    let limiter = this.limiters.get(endpoint.id);
    if (!limiter) this.limiters.set(endpoint.id, (limiter = new EndpointLimiter(concurrency ?? this.options.endpointConcurrency, rate)));
    else limiter.configure(concurrency ?? this.options.endpointConcurrency, rate);
    return limiter;
  }
}

function asMessages({ topic, records }: { topic: string; records: { key: string | null; value: string | Buffer | null }[] }): TopicMessages {
  return { topic, messages: records };
}
