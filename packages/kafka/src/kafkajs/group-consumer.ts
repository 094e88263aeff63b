import type { HealthVerdict } from '@hookline/core';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { runBatch } from '../batch-run.js';
import { OffsetBook } from '../offsets.js';
import type { GroupConsumerOptions, RunningConsumer, TopicPartition } from '../port.js';
import { ConsumerHealth } from './consumer-health.js';
import { toLogRecord } from './records.js';

/**
 * How long the broker holds a fetch that finds no records. A fetch returns as soon as `minBytes` (1) are there,
 * so a longer wait costs no latency for records that arrive; it only sets how often an idle member asks (and
 * heartbeats, which kafkajs sends between fetches). 250 ms made every idle consumer ask 4 times a second.
 * Kept well under the session timeout: a member heartbeats at least once per wait.
 */
export const idleFetchWaitMs = 3_000;
/** A member's session: a crashed instance's partitions move on within seconds, not the default 30. */
const sessionTimeoutMs = 10_000;
/** A third of the session (Kafka's advice); kafkajs sends it between fetches, so at most once per idle wait. */
const heartbeatIntervalMs = 3_000;
/**
 * While a batch's handler runs, it heartbeats this often (kafkajs sends at most one per `heartbeatIntervalMs`): a
 * handler that waits on a slow store longer than the session (the projector's counter writes on a busy FerretDB)
 * stays in its group instead of being evicted, which made every partition move and be read again.
 */
const keepAliveMs = 1_000;
/** kafkajs' defaults. */
const defaultMaxBytesPerPartition = 1024 * 1024;
const defaultMaxBytes = 10 * 1024 * 1024;

/** kafkajs' consumer settings for a Hookline consumer-group member. */
export function groupConsumerConfig(
  options: Pick<GroupConsumerOptions, 'groupId' | 'maxWaitMs' | 'minBytes' | 'maxBytesPerPartition'>,
): ConsumerConfig {
  const maxBytesPerPartition = options.maxBytesPerPartition ?? defaultMaxBytesPerPartition;
  return {
    groupId: options.groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: options.maxWaitMs ?? idleFetchWaitMs,
    minBytes: options.minBytes ?? 1,
    // A member that gathers `minBytes` under load asks that often only while records come: after a fetch that found
    // none, the next one waits for the first record for up to the idle wait (our kafkajs patch).
    ...((options.minBytes ?? 1) > 1 ? { idleMaxWaitTimeInMs: Math.max(idleFetchWaitMs, options.maxWaitMs ?? 0) } : {}),
    maxBytesPerPartition,
    // A fetch of several partitions may bring each its full share.
    maxBytes: Math.max(defaultMaxBytes, 4 * maxBytesPerPartition),
  };
}

/**
 * Finished records are committed within this long of finishing (and at a stop). The timer is armed by a finish,
 * not kept running: an idle member (nothing finished) does not wake up to find nothing to commit.
 */
const commitIntervalMs = 250;
/** How long a partition waits before a batch whose handler threw is read again. */
const retryBackoffMs = 1_000;
/** The first restart after a crash kafkajs gives up on comes this soon; each one in a row waits twice as long, up to the max. */
const crashRestartFirstMs = 1_000;
const crashRestartMaxMs = 60_000;
/** A batch in hand this long makes the member's health degraded, naming it (the keep-alive gives up at 60 s). */
const slowBatchMs = 30_000;

/**
 * A consumer-group member as every Hookline service runs one: a 10 s session timeout (a crashed instance's
 * partitions move on within seconds, not the default 30), no topic auto-creation, and the offset book inside:
 * a partition is committed up to its earliest record still held, so a crash redelivers at most what was in
 * flight and never skips an unfinished record.
 */
export class KafkaGroupConsumer implements RunningConsumer {
  private consumer: Consumer;
  private consumerHealth: ConsumerHealth;
  /** Restarts after crashes kafkajs gives up on, in a row (reset by a group join): the next back-off grows with it. */
  private crashRestarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly book = new OffsetBook();
  /** Partitions paused by `pauseFrom`: the timer that resumes each, and the resume. */
  private readonly pauseTimers = new Map<string, { timer: NodeJS.Timeout; resume: () => void }>();
  private commitTimer: NodeJS.Timeout | undefined;
  private heldCount = 0;
  private stopping = false;
  /** Set by `pause()`: no batch is handled any more and no paused partition resumes. */
  private fetchPaused = false;
  private current: Promise<void> | undefined;
  /** The batch whose handler runs, and since when (`health` names one that takes long). */
  private inHand: { topic: string; partition: number; offset: bigint; since: number } | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: GroupConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer(groupConsumerConfig(options));
    this.consumerHealth = new ConsumerHealth(this.consumer, options.groupId);
  }

  get held(): number {
    return this.heldCount;
  }

  async start(): Promise<void> {
    const { consumer, options } = this;
    // kafkajs restarts a consumer after a retriable crash and leaves it stopped after any other (a non-retriable
    // error out of its fetch loop), while the process runs on: the member is then gone for good. It is restarted
    // here instead, after a back-off, as a new consumer that reads from the committed offsets.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopping && !this.fetchPaused) this.restartAfterCrash(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.crashRestarts = 0;
      const assignment = payload.memberAssignment;
      const owns = (topic: string, partition: number) => assignment[topic]?.includes(partition) ?? false;
      // The new owner of a revoked partition reads from its committed offset; what this member held there is its.
      this.book.retain(owns);
      for (const [key, paused] of this.pauseTimers) {
        const [topic, partition] = splitKey(key);
        if (owns(topic, partition)) continue;
        // kafkajs keeps a partition paused across rebalances; should it come back, it must not stay paused.
        clearTimeout(paused.timer);
        paused.resume();
        this.pauseTimers.delete(key);
      }
      const assigned: TopicPartition[] = Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      options.onAssignment?.(assigned);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => {
        const handled = this.handleBatch(payload).finally(() => (this.current = undefined));
        this.current = handled;
        return handled;
      },
    });
  }

  /** Arms the commit timer, unless it is armed already (or the member is stopping, which commits itself). */
  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commit();
    }, commitIntervalMs);
  }

  pause(): void {
    this.fetchPaused = true;
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  /** Commits every partition up to its earliest unreleased record. */
  async commit(): Promise<void> {
    const commits = this.book.takeCommits();
    if (commits.length === 0) return;
    try {
      await this.consumer.commitOffsets(commits);
    } catch (error) {
      // A rebalance is under way; the partitions' new owner starts from the last successful commit.
      this.logger.warn({ err: error, groupId: this.options.groupId }, 'offset commit failed');
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.pause();
    await this.current;
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    for (const { timer } of this.pauseTimers.values()) clearTimeout(timer);
    this.pauseTimers.clear();
    await this.commit();
    await this.consumer.disconnect();
  }

  health(): HealthVerdict {
    const verdict = this.consumerHealth.check();
    const batch = this.inHand;
    if (verdict.status !== 'ok' || !batch || Date.now() - batch.since < slowBatchMs) return verdict;
    const seconds = Math.round((Date.now() - batch.since) / 1000);
    const reason = `${this.options.groupId}: a batch of ${batch.topic}[${batch.partition}] from offset ${batch.offset} in hand for ${seconds} s`;
    return { status: 'degraded', reason };
  }

  private restartAfterCrash(error: Error): void {
    const delayMs = Math.min(crashRestartMaxMs, crashRestartFirstMs * 2 ** this.crashRestarts);
    this.crashRestarts++;
    this.logger.error({ err: error, groupId: this.options.groupId, restartInMs: delayMs }, 'consumer crashed for good; starting a new one');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping || this.fetchPaused) return;
      // The new member reads from the committed offsets: what this one had in hand is read again.
      this.book.retain(() => false);
      for (const { timer } of this.pauseTimers.values()) clearTimeout(timer);
      this.pauseTimers.clear();
      this.consumer = this.kafka.consumer(groupConsumerConfig(this.options));
      this.consumerHealth = new ConsumerHealth(this.consumer, this.options.groupId);
      const consumer = this.consumer;
      this.start().catch((failed: unknown) => {
        void consumer.disconnect().catch(() => undefined);
        this.restartAfterCrash(failed instanceof Error ? failed : new Error(String(failed)));
      });
    }, delayMs);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    // A batch fetched before `pause()` (or `stop()`) is left unread and uncommitted, for later or the next owner.
    if (batch.messages.length === 0 || this.fetchPaused || this.stopping) return;
    const records = batch.messages.map((message) => toLogRecord(topic, partition, message));
    const { book } = this;
    this.inHand = { topic, partition, offset: records[0]!.offset, since: Date.now() };
    const { cut, pauseUntil } = await runBatch({ topic, partition, records }, this.options.onBatch, {
      offsets: {
        accept: (offset) => book.accept(topic, partition, offset),
        finish: (offset) => {
          book.finish(topic, partition, offset);
          this.scheduleCommit();
        },
        rewind: (offset) => book.rewind(topic, partition, offset),
      },
      heartbeat: () => heartbeat(),
      keepAliveMs,
      onKeepAliveError: (error) => this.logger.debug({ err: error, topic, partition }, 'heartbeat during a batch failed (rebalancing)'),
      isActive: () => isRunning() && !isStale() && !this.stopping,
      onHeldChange: (delta) => {
        this.heldCount += delta;
      },
      retryBackoffMs,
      onHandlerError: (error) =>
        this.logger.warn(
          { err: error, topic, partition, offset: records[0]!.offset.toString() },
          'batch handler failed; reading the batch again',
        ),
    });
    this.inHand = undefined;
    if (cut === undefined) {
      // Resolving moves the fetch position on; what gets committed is decided by the offset book.
      resolveOffset(records[records.length - 1]!.offset.toString());
    } else {
      this.consumer.seek({ topic, partition, offset: cut.toString() });
    }
    if (pauseUntil !== undefined) this.pausePartition(topic, partition, pause(), pauseUntil);
    // Every batch is committed by the timer (within `commitIntervalMs`), not here: a commit round trip per batch
    // held up the next fetch and, at a trickle of one record per fetch, doubled the broker's requests. A crash
    // reads again at most the last interval's records, which every handler takes as a replay (same ids).
    await heartbeat();
  }

  private pausePartition(topic: string, partition: number, resume: () => void, untilMs: number): void {
    const key = `${topic}\u0000${partition}`;
    clearTimeout(this.pauseTimers.get(key)?.timer);
    const timer = setTimeout(
      () => {
        this.pauseTimers.delete(key);
        if (!this.fetchPaused) resume();
      },
      Math.max(0, untilMs - Date.now()),
    );
    this.pauseTimers.set(key, { timer, resume });
    this.logger.debug({ topic, partition, resumeInMs: untilMs - Date.now() }, 'partition paused');
  }
}

function splitKey(key: string): [string, number] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
