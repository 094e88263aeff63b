import type { ServiceName } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { expectNothingLost, healthy, useFaultBench } from './support/bench.js';

/** kill -9 of each service (and of two at once) under steady load, restart, then: nothing lost. */
const bench = useFaultBench();
const { profile } = bench;

describe('kill -9 under load', () => {
  for (const service of ['ingest', 'fanout', 'delivery', 'projector'] as const) {
    it(`kill -9 of ${service}`, async () => {
      const summary = await bench.run({
        name: `kill-${service}`,
        events: profile.events,
        perSecond: profile.perSecond,
        endpoints: healthy(profile.endpoints),
        fault: () => bench.killAndRestart(service),
        // Early for ingest, so that load is left for the restarted one to take.
        faultAt: service === 'ingest' ? 0.2 : 0.4,
      });
      expectNothingLost(summary);
      // Posts in flight while ingest was down were not accepted; the load went on against the restarted one.
      if (service === 'ingest') {
        expect(summary.failedPosts + summary.accepted + (summary.refused['503'] ?? 0)).toBe(summary.eventsSent);
        expect(summary.acceptedAfterRecovery, 'posts accepted by the restarted ingest').toBeGreaterThan(0);
      } else {
        // Ingest was not touched: every post is answered; on a loaded machine a 503 for a stalled broker may come.
        expect(summary.failedPosts).toBe(0);
        expect(
          Object.keys(summary.refused).filter((status) => status !== '503'),
          'other refusals',
        ).toEqual([]);
      }
    });
  }

  const pairs: [ServiceName, ServiceName][] =
    profile.name === 'full'
      ? [
          ['fanout', 'delivery'],
          ['ingest', 'projector'],
        ]
      : [['fanout', 'delivery']];
  for (const [first, second] of pairs) {
    it(`kill -9 of ${first} and ${second} at once`, async () => {
      const summary = await bench.run({
        name: `kill-${first}-${second}`,
        events: profile.events,
        perSecond: profile.perSecond,
        endpoints: healthy(profile.endpoints),
        fault: () => bench.killAndRestart(first, second),
      });
      expectNothingLost(summary);
    });
  }
});
