import { ConfigState } from '@hookline/core';
import type { Alerts, DeadLetters } from '@hookline/store';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GaugeCount, registerStateGauges } from '../src/gauges.js';

describe('state gauges', () => {
  it('answer a scrape while MongoDB is slow, keeping the counts of the last scrape that got them', async () => {
    let slow = false;
    const never = new Promise<never>(() => {});
    const deadLetters = {
      countByState: () => (slow ? never : Promise.resolve({ dead: 3, replayed: 1 })),
    } as unknown as DeadLetters;
    const alerts = { alerts: { countDocuments: () => (slow ? never : Promise.resolve(2)) } } as unknown as Alerts;
    const registry = new Registry();
    registerStateGauges(registry, deadLetters, alerts, new ConfigState(), 20);

    expect(await registry.metrics()).toContain('hookline_dead_letters{state="dead"} 3');
    slow = true;
    const text = await registry.metrics();
    expect(text).toContain('hookline_dead_letters{state="dead"} 3');
    expect(text).toMatch(/hookline_alerts_firing\{rule="[a-z_]+"\} 2/);
  });
});

describe('state gauges under scrapes faster than MongoDB counts', () => {
  it('count once while a count runs, however often they are scraped (counts on FerretDB scan)', async () => {
    let countsStarted = 0;
    const never = new Promise<never>(() => {});
    const deadLetters = {
      countByState: () => {
        countsStarted++;
        return never;
      },
    } as unknown as DeadLetters;
    const alerts = { alerts: { countDocuments: () => never } } as unknown as Alerts;
    const registry = new Registry();
    registerStateGauges(registry, deadLetters, alerts, new ConfigState(), 5);
    for (let scrape = 0; scrape < 5; scrape++) await registry.metrics();
    expect(countsStarted).toBe(1);
  });
});

describe('GaugeCount', () => {
  afterEach(() => vi.useRealTimers());

  it('runs one count at a time: scrapes during a slow count wait for it within the budget and start no other', async () => {
    let calls = 0;
    let finish: ((n: number) => void) | undefined;
    const count = new GaugeCount(() => {
      calls++;
      return new Promise<number>((resolve) => (finish = resolve));
    }, 10);
    const scrapes = await Promise.all(Array.from({ length: 5 }, () => count.read()));
    expect(scrapes).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(await count.read()).toBeUndefined();
    expect(calls).toBe(1);
    finish!(7);
    await vi.waitFor(async () => expect(await count.read()).toBe(7));
  });

  it('starts the next count no sooner than nine times as long as the last one took after it ended', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const count = new GaugeCount(() => {
      calls++;
      return new Promise<number>((resolve) => setTimeout(() => resolve(calls), 1_000));
    }, 2_000);
    const first = count.read();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await first).toBe(1);
    // The count took 1 s and ended at 1 s: the next may start at 10 s.
    await vi.advanceTimersByTimeAsync(8_999);
    expect(await count.read()).toBe(1);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const second = count.read();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await second).toBe(2);
    expect(calls).toBe(2);
  });
});
