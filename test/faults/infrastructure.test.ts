import { startLocalInfra, stopLocalInfra } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { expectNothingLost, healthy, useFaultBench } from './support/bench.js';

/**
 * The broker stopped for a while and the MongoDB-wire server restarted, under steady load, on the suite's own
 * infrastructure instance. The services must ride both out without exiting.
 */
const bench = useFaultBench();
const { profile } = bench;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('infrastructure faults under load', () => {
  // MongoDB first: a broker just restarted stays slow for a while on a loaded machine, which is not what this one tests.
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
    expectNothingLost(summary);
    // Posts without an Idempotency-Key do not touch MongoDB: every one is answered, and on this loaded machine
    // the only refusal allowed is ingest's 503 for a stalled broker.
    expect(summary.failedPosts).toBe(0);
    expect(
      Object.keys(summary.refused).filter((status) => status !== '503'),
      'other refusals',
    ).toEqual([]);
  });

  it(`Kafka broker stopped for ${profile.brokerDownMs / 1000} s, then started again`, async () => {
    let downMs = 0;
    const summary = await bench.run({
      name: 'broker-down',
      events: profile.brokerEvents,
      perSecond: profile.brokerPerSecond,
      endpoints: healthy(profile.endpoints),
      faultAt: 0.1,
      fault: async () => {
        const stopped = Date.now();
        await stopLocalInfra('kafka', bench.infra.local);
        await sleep(Math.max(0, profile.brokerDownMs - (Date.now() - stopped)));
        await startLocalInfra('kafka', bench.infra.local);
        downMs = Date.now() - stopped;
      },
    });
    console.log(`[faults] broker-down: broker unavailable for ${(downMs / 1000).toFixed(1)} s`);
    expectNothingLost(summary);
    // Before and after the outage posts were accepted. During it, the posts already waiting for the broker were
    // answered 202 once it was back, and new ones were refused at once with 503 (ingest's stall limit)...
    expect(summary.acceptedAfterRecovery, 'posts accepted again once the broker was back').toBeGreaterThan(0);
    expect(summary.refused['503'] ?? 0, 'posts refused with 503 while the broker was away').toBeGreaterThan(0);
    // (A 500 may still come when the outage outlasts kafkajs' connection retries; it promises nothing either way.)
    expect(
      Object.keys(summary.refused).filter((status) => status !== '503' && status !== '500'),
      'other refusals',
    ).toEqual([]);
    // ...and a refused post never reaches a subscriber (so a client's retry cannot duplicate it).
    expect(summary.deliveredAfterRefusal, 'deliveries of refused posts').toBe(0);
  });
});
