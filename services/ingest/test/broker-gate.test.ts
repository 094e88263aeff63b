import { ApiError } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { BrokerGate, viaBroker } from '../src/publish.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BrokerGate', () => {
  it('refuses new publishes with 503 unavailable while one has waited longer than the stall limit, and lets the waiting one finish', async () => {
    const gate = new BrokerGate(50);
    let release!: () => void;
    const stalled = gate.run(() => new Promise<string>((resolve) => (release = () => resolve('sent'))));
    // Within the limit, others may still join.
    await expect(gate.run(async () => 'quick')).resolves.toBe('quick');
    await sleep(80);
    const refused = await gate.run(async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(503);
    expect((refused as ApiError).code).toBe('unavailable');
    release();
    await expect(stalled).resolves.toBe('sent');
    // The broker answers again: publishes go through.
    await expect(gate.run(async () => 'after')).resolves.toBe('after');
  });

  it('does not count a failed publish as waiting', async () => {
    const gate = new BrokerGate(10);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await sleep(20);
    await expect(gate.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('answers 503 when a step that reads the broker before producing fails', async () => {
    const failed = await viaBroker(async () => Promise.reject(new Error('config did not reach offset 7 within 30000 ms'))).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).code).toBe('unavailable');
    // Validation errors pass through unchanged.
    const invalid = await viaBroker(async () => Promise.reject(new ApiError('unknown_event_type', 'no'))).catch((e: unknown) => e);
    expect((invalid as ApiError).code).toBe('unknown_event_type');
  });
});
