import type { BatchControl, LogRecord, PartitionBatch } from './port.js';

/** The offsets of the partition a batch came from (a `PartitionOffsets`, or one partition of an `OffsetBook`). */
export interface BatchOffsets {
  accept(offset: bigint): void;
  finish(offset: bigint): void;
  rewind(offset: bigint): void;
}

export interface BatchRunOptions {
  offsets: BatchOffsets;
  heartbeat(): Promise<void>;
  /**
   * While the handler runs, `heartbeat` is called this often (kafkajs sends one at most per heartbeat interval):
   * a handler awaiting a slow store for longer than the session stays in its group. Unset: only the handler's own
   * calls (an adapter with no session).
   */
  keepAliveMs?: number;
  /**
   * For at most this long (default 60 s), like Kafka's `max.poll.interval.ms`: a handler stuck for longer (a store
   * call that never returns) lets its session run out, so the group moves its partitions to a member that works.
   */
  keepAliveForMs?: number;
  /** A keep-alive heartbeat failed (a rebalance began): no more are sent for this batch. */
  onKeepAliveError?(error: unknown): void;
  isActive(): boolean;
  /** A held record was handed out (+1) or released (-1): the consumer's `held` count. */
  onHeldChange(delta: 1 | -1): void;
  /** A held record was released after its batch settled: its release may move the commit point now. */
  onLateRelease?(): void;
  /** How long a partition waits before a batch whose handler threw is read again. */
  retryBackoffMs: number;
  onHandlerError(error: unknown): void;
}

/** How a batch ended: where the partition is read again from (if not after its last record) and until when it waits. */
export interface BatchOutcome {
  /** The first record left unconsumed (from `pauseFrom`, `leaveFrom` or a handler that threw). */
  cut: bigint | undefined;
  /** Epoch ms the partition stays paused until. */
  pauseUntil: number | undefined;
  /** Whether records of this batch are still held. */
  held: boolean;
}

/**
 * One batch through a handler, with the port's `BatchControl` semantics in one place for every adapter: records
 * not held, left or paused count as done when the handler returns; held ones when released; a handler that
 * throws leaves the whole batch to be read again after a back-off.
 */
export async function runBatch(
  batch: PartitionBatch,
  onBatch: (batch: PartitionBatch, control: BatchControl) => Promise<void>,
  options: BatchRunOptions,
): Promise<BatchOutcome> {
  const { records } = batch;
  const { offsets } = options;
  const stillHeld = new Set<bigint>();
  let cut: bigint | undefined;
  let pauseUntil: number | undefined;
  let settled = false;
  for (const record of records) offsets.accept(record.offset);
  const leave = (record: LogRecord) => {
    if (cut === undefined || record.offset < cut) cut = record.offset;
  };
  const control: BatchControl = {
    hold: (record) => {
      // The release keeps the offset only, not the record: a handler may hold many records for long.
      const { offset } = record;
      if (stillHeld.has(offset)) return () => undefined;
      stillHeld.add(offset);
      options.onHeldChange(1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        options.onHeldChange(-1);
        stillHeld.delete(offset);
        offsets.finish(offset);
        if (settled) options.onLateRelease?.();
      };
    },
    pauseFrom: (record, untilMs) => {
      leave(record);
      pauseUntil = untilMs;
    },
    leaveFrom: leave,
    heartbeat: options.heartbeat,
    isActive: options.isActive,
  };
  const keepAlive = startKeepAlive(options);
  try {
    await onBatch(batch, control);
  } catch (error) {
    options.onHandlerError(error);
    cut = records[0]!.offset;
    pauseUntil = Date.now() + options.retryBackoffMs;
  } finally {
    keepAlive.stop();
  }
  settled = true;
  for (const record of records) {
    if ((cut === undefined || record.offset < cut) && !stillHeld.has(record.offset)) offsets.finish(record.offset);
  }
  if (cut !== undefined) offsets.rewind(cut);
  return { cut, pauseUntil, held: stillHeld.size > 0 };
}

const defaultKeepAliveForMs = 60_000;

/**
 * Heartbeats every `keepAliveMs` until stopped, one at a time. Stopped when the handler settles, so no heartbeat
 * of this batch is sent after it (kafkajs' `heartbeat` belongs to the batch in hand); a failed one (a rebalance
 * began) ends them: the adapter's own heartbeat after the batch reports it.
 */
function startKeepAlive(options: Pick<BatchRunOptions, 'heartbeat' | 'keepAliveMs' | 'keepAliveForMs' | 'onKeepAliveError'>): {
  stop(): void;
} {
  const { keepAliveMs } = options;
  if (keepAliveMs === undefined) return { stop: () => undefined };
  const until = Date.now() + (options.keepAliveForMs ?? defaultKeepAliveForMs);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (Date.now() > until) return;
    options.heartbeat().then(
      () => {
        if (!stopped) timer = setTimeout(tick, keepAliveMs);
      },
      (error: unknown) => {
        if (!stopped) options.onKeepAliveError?.(error);
      },
    );
  };
  timer = setTimeout(tick, keepAliveMs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
