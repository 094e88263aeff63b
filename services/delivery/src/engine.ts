import { type DeliveryTask, deliveryTask, type EndpointRecord, type TopicNames } from '@hookline/core';
import {
  backlogDeferral,
  type DeliveryPolicy,
  deferTask,
  failureOfRecord,
  orderingLaneOf,
  parkTask,
  rejectRecord,
  resolvePolicy,
  retryInPlace,
  routeOutcome,
  sendingConcurrency,
  tierCovering,
  waitsOverBacklog,
} from '@hookline/delivery-policy';
import type { BatchControl, EventLog, LogRecord, PartitionBatch, RecordPublisher, RunningConsumer, TopicRecords } from '@hookline/kafka';
import { traceparentFrom, withTraceparentAll } from '@hookline/tracing';
import type { Logger } from 'pino';
import { CircuitBreakers, type CircuitTransition } from './circuit-breaker.js';
import { FailureGate } from './failure-gate.js';
import { EndpointLimiter } from './limiter.js';
import type { DeliveryMetrics } from './metrics.js';
import { OrderedLanes } from './ordered-lanes.js';
import type { AttemptResult } from './sender.js';
import { circuitRecord, laneRecord, StatusWriter } from './status-records.js';

/** An attempt's result with the trace context of its span (carried on the records that follow it). */
export type TracedAttempt = AttemptResult & { traceparent?: string | undefined };

/**
 * Sends one attempt (the HTTP POST); never throws for a failed attempt, which is in the result. `traceparent`:
 * the task record's trace context, which the attempt continues.
 */
export interface TaskSender {
  send(task: DeliveryTask, endpoint: EndpointRecord, policy: DeliveryPolicy, traceparent?: string): Promise<TracedAttempt>;
}

/** Where endpoints are looked up (the config view): may trail the config topic until caught up. */
export interface EndpointDirectory {
  readonly state: { readonly endpoints: ReadonlyMap<string, EndpointRecord> };
  catchUp(): Promise<void>;
}

export interface EngineOptions {
  log: EventLog;
  publisher: RecordPublisher;
  topics: TopicNames;
  config: EndpointDirectory;
  sender: TaskSender;
  logger: Logger;
  metrics: DeliveryMetrics;
  groupId: string;
  /** Requests in flight per endpoint unless the endpoint sets its own. */
  endpointConcurrency: number;
  /** Tasks waiting behind one endpoint before further ones are deferred to a retry tier. */
  endpointBacklog: number;
  /** Tasks accepted but unfinished across all partitions before consumption waits. */
  maxInFlight: number;
  /**
   * The delayed retry tiers: tasks held back by an open circuit wait in the one that covers the cool-down, and
   * tasks of an endpoint whose backlog is full in the one `backlogDeferral` picks.
   */
  delayedTiers: readonly string[];
  /** Told of every circuit change (metrics, logs, the record on `attempts`). */
  onCircuitTransition?: (transition: CircuitTransition) => void;
}

/** A send-test goes out even to a disabled endpoint: checking it before re-enabling is what it is for. */
function usableFor(task: DeliveryTask, endpoint: EndpointRecord | undefined): endpoint is EndpointRecord {
  return Boolean(endpoint && (endpoint.isActive || task.test));
}

/** How a taken task ended: its outcome written, or handed back unstarted at a stop (left uncommitted). */
type TaskEnd = 'done' | 'handed-back';

/**
 * The delivery loop. Tasks are taken from `deliveries` as fast as they come and run concurrently, each behind
 * its endpoint's limiter, so a slow or hanging endpoint delays only itself. Each task is held until its
 * outcome is written, so a partition is committed up to its earliest unfinished task; a crash redelivers at
 * most the in-flight window, with the same delivery id (so the same `webhook-id`). What follows an attempt
 * (retry tier, dead letter, park, defer) is decided by `@hookline/delivery-policy`.
 */
export class DeliveryEngine {
  private consumer: RunningConsumer | undefined;
  private readonly limiters = new Map<string, EndpointLimiter>();
  private readonly failures = new FailureGate();
  readonly lanes: OrderedLanes;
  readonly circuits: CircuitBreakers;
  /** Circuit changes and blocked lanes, written to `attempts` for the projector (stats, the API, the page). */
  private readonly status: StatusWriter;
  /** Woken whenever a task ends: capacity waits and the stop's waits. */
  private waiters: (() => void)[] = [];
  private running = 0;
  private handedBack = 0;
  /** Set by `stop()`: the rest of the batch in hand is left for whoever owns the partition next. */
  private stopping = false;
  /** Set once the stop's grace period is over: tasks that have not started by then are handed back. */
  private handingBack = false;

  constructor(private readonly options: EngineOptions) {
    this.status = new StatusWriter(options.publisher, options.topics, options.logger);
    this.circuits = new CircuitBreakers((transition) => {
      options.onCircuitTransition?.(transition);
      this.status.write(circuitRecord(transition));
    });
    this.lanes = new OrderedLanes((change) => this.status.write(laneRecord(change)));
  }

  async start(): Promise<void> {
    const { log, topics, groupId } = this.options;
    this.consumer = await log.consume({
      groupId,
      topics: [topics.deliveries],
      onAssignment: () => {
        this.failures.forget();
        this.circuits.forget();
      },
      onBatch: (batch, control) => this.take(batch, control),
    });
  }

  /** Tasks taken and not finished (handed-back ones excluded). */
  get inFlight(): number {
    return this.running - this.handedBack;
  }

  health() {
    return this.consumer?.health() ?? { status: 'down' as const, reason: 'delivery engine not started' };
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
    consumer.pause();
    this.wake();
    await this.waitUntil(() => this.inFlight === 0, graceMs);
    this.handingBack = true;
    for (const limiter of this.limiters.values()) limiter.configure(Number.MAX_SAFE_INTEGER, undefined);
    // Strictly ordered tasks waiting out a backoff in place are handed back too.
    this.wake();
    await this.waitUntil(() => this.inFlight === 0, sentMs);
    // The partitions' next owner starts its circuits closed: the state on record says so.
    this.circuits.forget();
    await Promise.race([this.status.flushed(), new Promise((resolve) => setTimeout(resolve, sentMs).unref())]);
    await this.options.publisher.flush();
    await consumer.stop();
  }

  private async take(batch: PartitionBatch, control: BatchControl): Promise<void> {
    for (const record of batch.records) {
      if (this.stopping || !control.isActive()) return control.leaveFrom(record);
      while (this.inFlight >= this.options.maxInFlight && !this.stopping) await this.capacityOrHeartbeat(control);
      if (this.stopping || !control.isActive()) return control.leaveFrom(record);
      const release = control.hold(record);
      this.running++;
      void this.handle(record)
        .catch((error: unknown) => {
          // `handle` catches everything it expects; anything else is a bug: keep the task uncommitted, not lost.
          this.options.logger.error({ err: error, offset: record.offset, partition: record.partition }, 'delivery task left unfinished');
          return 'handed-back' as const;
        })
        .then((end) => this.finished(end, release));
    }
  }

  private finished(end: TaskEnd, release: () => void): void {
    // A handed-back task stays held: uncommitted, for the partition's next owner.
    if (end === 'handed-back') this.handedBack++;
    else {
      this.running--;
      release();
    }
    this.wake();
  }

  /** Never throws: every way a record can end is written somewhere (or handed back at a stop). */
  private async handle(record: LogRecord): Promise<TaskEnd> {
    const { logger, topics } = this.options;
    let task: DeliveryTask;
    try {
      task = deliveryTask.parse(JSON.parse(record.value?.toString() ?? 'null'));
    } catch (error) {
      logger.error({ err: error, offset: record.offset }, 'unreadable delivery task sent to the rejected topic');
      await this.publish([rejectRecord(record, `unreadable delivery task: ${(error as Error).message}`, topics)], record);
      return 'done';
    }
    let records: TopicRecords[] | 'handed-back';
    try {
      records = await this.deliver(task, record);
    } catch (error) {
      // Not an attempt's failure (those are in the result) but a task this build cannot deliver at all: sending
      // it again would fail the same way, so it goes to `rejected` with the reason and the partition moves on.
      logger.error({ err: error, deliveryId: task.deliveryId }, 'delivery task failed; sent to the rejected topic');
      records = [rejectRecord(record, `delivery failed: ${(error as Error).message}`, topics)];
    }
    if (records === 'handed-back') return records;
    // Records no attempt stamped (parked, deferred, rejected) carry the task's own trace context on.
    await this.publish(withTraceparentAll(records, traceparentFrom(record.headers), true), record);
    return 'done';
  }

  /** Sends the task (at most once, or in place until done for strict ordering) and returns the records that say what happened. */
  private async deliver(task: DeliveryTask, source: LogRecord): Promise<TopicRecords[] | 'handed-back'> {
    const { config, metrics, topics } = this.options;
    let endpoint = config.state.endpoints.get(task.endpointId);
    if (!usableFor(task, endpoint)) {
      // This view may trail the config topic (an endpoint created or re-enabled a moment ago): catch up first.
      await config.catchUp();
      endpoint = config.state.endpoints.get(task.endpointId);
      if (!usableFor(task, endpoint)) return this.park(task, endpoint);
    }
    const policy = resolvePolicy(endpoint);
    if (policy.ordering && !task.test) {
      const lane = orderingLaneOf(task, policy);
      return this.lanes.run(lane, () => this.deliverInOrder(task, lane, source));
    }
    const limiter = this.limiterFor(endpoint, policy);
    if (limiter.queued >= this.options.endpointBacklog) {
      // Read once for both decisions.
      const backlog = {
        queued: limiter.queued,
        backlog: this.options.endpointBacklog,
        drainEstimateMs: limiter.drainEstimateMs,
        stalledForMs: limiter.stalledForMs,
        deferrals: task.deferrals,
      };
      if (!waitsOverBacklog(backlog)) {
        metrics.deferred.inc();
        const { tier, delayMs } = backlogDeferral(this.options.delayedTiers, backlog);
        return deferTask(task, tier, delayMs, topics, Date.now()).records;
      }
    }
    const result = await this.attemptOnce(task, limiter, traceparentFrom(source.headers));
    if (result === 'handed-back') return result;
    if ('park' in result) return this.park(task, result.park);
    if ('deferMs' in result) {
      metrics.deferred.inc();
      const tier = tierCovering(this.options.delayedTiers, result.deferMs);
      return deferTask(task, tier, result.deferMs, topics, Date.now()).records;
    }
    return this.route(task, result.sent, result.policy).records;
  }

  /**
   * Strict ordering: the task holds its lane until it succeeded or was dead-lettered. A failed attempt is
   * written at once and retried here after the endpoint's backoff (not through a tier topic, where the
   * deliveries behind it would overtake it); the lane shows as blocked meanwhile. A stop hands the task back.
   */
  private async deliverInOrder(task: DeliveryTask, lane: string, source: LogRecord): Promise<TopicRecords[] | 'handed-back'> {
    const { config, topics } = this.options;
    let current = task;
    let traceparent = traceparentFrom(source.headers);
    for (;;) {
      const endpoint = config.state.endpoints.get(current.endpointId);
      if (!usableFor(current, endpoint)) {
        this.lanes.unblock(lane, 'the endpoint is disabled or gone; its deliveries are parked');
        return this.park(current, endpoint);
      }
      const result = await this.attemptOnce(current, this.limiterFor(endpoint, resolvePolicy(endpoint)), traceparent);
      if (result === 'handed-back') {
        this.lanes.unblock(lane, 'handed to the next owner of the partition');
        return result;
      }
      if ('park' in result || 'deferMs' in result) {
        this.lanes.unblock(lane, 'the endpoint is disabled or gone; its deliveries are parked');
        return this.park(current, 'park' in result ? result.park : endpoint);
      }
      const { records, next } = retryInPlace(this.route(current, result.sent, result.policy), topics, Date.now());
      if (!next) {
        this.lanes.unblock(lane, result.sent.record.outcome === 'success' ? 'the head was delivered' : 'the head was dead-lettered');
        return records;
      }
      this.lanes.markBlocked(lane, Date.now());
      // The next attempt in place continues this one's trace, as one through a retry tier would.
      traceparent = result.sent.traceparent ?? traceparent;
      await this.publish(records, source);
      await this.waitUntil(() => this.handingBack, next.delayMs);
      if (this.handingBack) {
        this.lanes.unblock(lane, 'handed to the next owner of the partition');
        return 'handed-back';
      }
      current = next.task;
    }
  }

  /** One attempt inside the endpoint's limiter slot, re-checking the endpoint, its circuit and its failure gate there. */
  private async attemptOnce(
    task: DeliveryTask,
    limiter: EndpointLimiter,
    traceparent?: string,
  ): Promise<'handed-back' | { park: EndpointRecord | undefined } | { deferMs: number } | { sent: TracedAttempt; policy: DeliveryPolicy }> {
    const { config, sender } = this.options;
    return limiter.run(async () => {
      if (this.handingBack) return 'handed-back' as const;
      // The endpoint may have been disabled, changed or deleted while this task waited its turn.
      const current = config.state.endpoints.get(task.endpointId);
      if (!usableFor(task, current)) return { park: current };
      const policy = resolvePolicy(current);
      // An open circuit: not sent, no attempt counted; the task waits out the cool-down on a retry tier.
      const admission = task.test ? ({ send: true, probe: false } as const) : this.circuits.admit(current.id, policy.circuitBreaker);
      if (!admission.send) return { deferMs: admission.retryInMs };
      // Its threshold reached here already: the disable is on its way, park as it will.
      const heldBack = task.test ? undefined : this.failures.holdsBack(current, policy);
      if (heldBack) {
        if (admission.probe) this.circuits.cancelProbe(current.id);
        return { park: { ...current, disabledReason: heldBack } };
      }
      const sent = await sender.send(task, current, policy, traceparent);
      // Still inside the endpoint's slot: the next request to it sees this outcome.
      this.failures.record(task, current, sent.record);
      if (!task.test) {
        const unhealthy = (sent.failure ?? failureOfRecord(sent.record))?.retryable === true;
        this.circuits.record(current.id, policy.circuitBreaker, unhealthy, admission.probe);
      }
      return { sent, policy };
    });
  }

  private route(task: DeliveryTask, sent: TracedAttempt, policy: DeliveryPolicy) {
    const { metrics, topics } = this.options;
    const routed = routeOutcome(task, sent, policy, topics, Date.now());
    metrics.attempts.inc({ outcome: routed.attempt.outcome });
    metrics.attemptDuration.observe(routed.attempt.durationMs / 1000);
    if (routed.retry) metrics.retries.inc({ tier: routed.retry.tier });
    if (routed.deadLetter) metrics.deadLettered.inc({ kind: routed.deadLetter.kind });
    return { ...routed, records: withTraceparentAll(routed.records, sent.traceparent) };
  }

  /** Never attempted: its endpoint is disabled or gone. Kept in the dead-letter topic for a later replay. */
  private park(task: DeliveryTask, endpoint: EndpointRecord | undefined): TopicRecords[] {
    this.options.metrics.deadLettered.inc({ kind: 'parked' });
    return parkTask(task, endpoint, this.options.topics, Date.now()).records;
  }

  /**
   * Writes an outcome, retrying only the write: the broker can refuse for a while, and the attempt it records
   * was made already (sending it again would deliver twice).
   */
  private async publish(records: TopicRecords[], source: LogRecord): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.options.publisher.publish(records);
      } catch (error) {
        this.options.logger.error(
          { err: error, offset: source.offset, partition: source.partition },
          'writing a delivery outcome failed; retrying the write',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Waits until a task ends (capacity frees up) or a second passes, then keeps the group membership alive. */
  private async capacityOrHeartbeat(control: BatchControl): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      timer = setTimeout(resolve, 1_000);
    });
    clearTimeout(timer);
    await control.heartbeat();
  }

  /** Resolves when `done()` holds or `ms` have passed. */
  private async waitUntil(done: () => boolean, ms: number): Promise<void> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.wake();
    }, ms);
    while (!done() && !timedOut) await new Promise<void>((resolve) => this.waiters.push(resolve));
    clearTimeout(timer);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private limiterFor(endpoint: EndpointRecord, policy: DeliveryPolicy): EndpointLimiter {
    const concurrency = sendingConcurrency(policy, this.options.endpointConcurrency);
    let limiter = this.limiters.get(endpoint.id);
    if (limiter) {
      limiter.configure(concurrency, policy.rateLimitPerSecond);
      return limiter;
    }
    limiter = new EndpointLimiter(concurrency, policy.rateLimitPerSecond);
    this.limiters.set(endpoint.id, limiter);
    return limiter;
  }
}
