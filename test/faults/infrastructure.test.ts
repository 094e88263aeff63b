import { startLocalInfra, stopLocalInfra } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import type { ScenarioSummary } from './support/checker.js';
import { healthy, useFaultBench } from './support/bench.js';

/**
 * The broker stopped for a while and the MongoDB-wire server restarted, under steady load, on the suite's own
 * infrastructure instance. The services must ride both out without exiting.
 */
const bench = useFaultBench();
const { profile } = bench;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectClean(summary: ScenarioSummary): void {
  expect(summary.lost, 'lost').toBe(0);
  expect(summary.deliveredAfterRefusal, 'deliveries of refused posts').toBe(0);
  expect(summary.webhookIdMismatches, 'duplicates with another webhook-id').toBe(0);
  expect(summary.unexpectedOutcomes, 'unexpected outcomes').toEqual([]);
  expect(summary.statsMismatches, 'stats equal the attempts made').toEqual([]);
  expect(summary.crashedServices, 'services still running').toEqual([]);
}

describe('infrastructure faults under load', () => {
  it(`Kafka broker stopped for ${profile.brokerDownMs / 1000} s, then started again`, async () => {
    let downMs = 0;
    const summary = await bench.run({
      name: 'broker-down',
      events: profile.brokerEvents,
      perSecond: profile.brokerPerSecond,
      endpoints: healthy(profile.endpoints),
      faultAt: 0.2,
      fault: async () => {
        const stopped = Date.now();
        await stopLocalInfra('kafka', bench.infra.local);
        await sleep(Math.max(0, profile.brokerDownMs - (Date.now() - stopped)));
        await startLocalInfra('kafka', bench.infra.local);
        downMs = Date.now() - stopped;
      },
    });
    console.log(`[faults] broker-down: broker unavailable for ${(downMs / 1000).toFixed(1)} s`);
    expectClean(summary);
    // Before and after the outage posts were accepted. During it, the posts already waiting for the broker were
    // answered 202 once it was back, and new ones were refused at once with 503 (ingest's stall limit)...
    expect(summary.accepted).toBeGreaterThan(profile.brokerEvents * 0.2);
    expect(summary.refused['503'] ?? 0, 'posts refused with 503 while the broker was away').toBeGreaterThan(0);
    expect(summary.accepted + (summary.refused['503'] ?? 0) + summary.failedPosts).toBe(summary.eventsSent);
    // ...and a refused post never reaches a subscriber (so a client's retry cannot duplicate it).
    expect(summary.deliveredAfterRefusal, 'deliveries of refused posts').toBe(0);
  });

  it('MongoDB-wire server restarted', async () => {
    const summary = await bench.run({
      name: 'mongo-restart',
      events: profile.events,
      perSecond: profile.perSecond,
      endpoints: healthy(profile.endpoints),
      fault: async () => {
        await stopLocalInfra('mongo', bench.infra.local);
        await sleep(3_000);
        await startLocalInfra('mongo', bench.infra.local);
      },
    });
    expectClean(summary);
    expect(summary.accepted).toBe(summary.eventsSent);
  });
});
