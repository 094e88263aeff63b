import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BatchRunOptions, runBatch } from '../src/batch-run.js';
import type { LogRecord, PartitionBatch } from '../src/port.js';

const record = (offset: bigint): LogRecord => ({
  topic: 't',
  partition: 0,
  offset,
  key: null,
  value: Buffer.from('{}'),
  headers: {},
  timestamp: 0,
});

const batch: PartitionBatch = { topic: 't', partition: 0, records: [record(0n), record(1n)] };

function runOptions(over: Partial<BatchRunOptions>): BatchRunOptions {
  return {
    offsets: { accept: () => undefined, finish: () => undefined, rewind: () => undefined },
    heartbeat: async () => undefined,
    isActive: () => true,
    onHeldChange: () => undefined,
    retryBackoffMs: 1_000,
    onHandlerError: () => undefined,
    ...over,
  };
}

describe('runBatch keep-alive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('heartbeats while a handler waits longer than a session, and never after it settled', async () => {
    const heartbeat = vi.fn(async () => undefined);
    let finish: () => void = () => undefined;
    const handled = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const run = runBatch(batch, () => handled, runOptions({ heartbeat, keepAliveMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(heartbeat.mock.calls.length).toBeGreaterThanOrEqual(11);
    finish();
    await run;
    const sent = heartbeat.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(heartbeat).toHaveBeenCalledTimes(sent);
  });

  it('sends one heartbeat at a time and stops after one fails (a rebalance began)', async () => {
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const heartbeat = vi.fn(async () => {
      calls += 1;
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      inFlight -= 1;
      if (calls === 3) throw new Error('REBALANCE_IN_PROGRESS');
    });
    const failures: unknown[] = [];
    const run = runBatch(
      batch,
      () => new Promise((resolve) => setTimeout(resolve, 30_000)),
      runOptions({ heartbeat, keepAliveMs: 1_000, onKeepAliveError: (error) => failures.push(error) }),
    );
    await vi.advanceTimersByTimeAsync(30_000);
    await run;
    expect(most).toBe(1);
    expect(heartbeat).toHaveBeenCalledTimes(3);
    expect(failures).toHaveLength(1);
  });

  it('stops after keepAliveForMs, so a handler stuck for good lets its partitions move', async () => {
    const heartbeat = vi.fn(async () => undefined);
    void runBatch(batch, () => new Promise(() => undefined), runOptions({ heartbeat, keepAliveMs: 1_000, keepAliveForMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(5_000);
    const sent = heartbeat.mock.calls.length;
    expect(sent).toBeGreaterThanOrEqual(4);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(heartbeat).toHaveBeenCalledTimes(sent);
  });

  it('sends none of its own without keepAliveMs (an adapter with no session)', async () => {
    const heartbeat = vi.fn(async () => undefined);
    const run = runBatch(batch, () => new Promise((resolve) => setTimeout(resolve, 20_000)), runOptions({ heartbeat }));
    await vi.advanceTimersByTimeAsync(20_000);
    await run;
    expect(heartbeat).not.toHaveBeenCalled();
  });
});
