import { ConfigState } from '@hookline/core';
import type { Alerts, DeadLetters } from '@hookline/store';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerStateGauges } from '../src/gauges.js';

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
