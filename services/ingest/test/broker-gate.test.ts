import { ApiError } from '@hookline/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrokerGate } from '../src/publish.js';

/** A publish the test answers by hand: the broker "acknowledges" when `release` is called. */
function pending<T>(value: T) {
  let release!: () => void;
  const promise = new Promise<T>((resolve) => (release = () => resolve(value)));
  return { promise, release };
}

describe('BrokerGate', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('refuses new publishes with 503 unavailable while one has waited longer than the stall limit, and lets the waiting one finish', async () => {
    const gate = new BrokerGate(50);
    const broker = pending('sent');
    const stalled = gate.run(() => broker.promise);
    // Within the limit (even at it), others may still join.
    await expect(gate.run(async () => 'quick')).resolves.toBe('quick');
    vi.advanceTimersByTime(50);
    await expect(gate.run(async () => 'at the limit')).resolves.toBe('at the limit');
    vi.advanceTimersByTime(1);
    const refused = await gate.run(async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(503);
    expect((refused as ApiError).code).toBe('unavailable');
    broker.release();
    await expect(stalled).resolves.toBe('sent');
    // The broker answers again: publishes go through.
    await expect(gate.run(async () => 'after')).resolves.toBe('after');
  });

  it('does not count a failed publish as waiting', async () => {
    const gate = new BrokerGate(10);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    vi.advanceTimersByTime(20);
    await expect(gate.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('answers 503 when a step that reads the broker before producing fails', async () => {
    const gate = new BrokerGate(15_000);
    const failed = await gate
      .viaBroker(async () => Promise.reject(new Error('config did not reach offset 7 within 30000 ms')))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).code).toBe('unavailable');
    // Validation errors pass through unchanged.
    const invalid = await gate.viaBroker(async () => Promise.reject(new ApiError('unknown_event_type', 'no'))).catch((e: unknown) => e);
    expect((invalid as ApiError).code).toBe('unknown_event_type');
  });

  it('refuses steps that read the broker too while a publish is stalled', async () => {
    const gate = new BrokerGate(100);
    const broker = pending(undefined);
    const stalled = gate.run(() => broker.promise);
    vi.advanceTimersByTime(101);
    const refused = await gate.viaBroker(async () => 'catalog checked').catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('unavailable');
    broker.release();
    await stalled;
  });
});
