import { eventually, requestJson } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { metricValue } from './support/metrics.js';

const context = useHookline();

/** A fixed pseudo-random sequence, so a failing run can be repeated. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * `ordering: "strict"` with an ordering key: 1,000 events for 10 orders, the receiver failing at random. Per
 * order they arrive (succeed) in the order they were accepted, none is lost, and an endpoint without ordering on
 * the same events is not held up by the retries.
 */
describe('ordered delivery per endpoint', () => {
  it('delivers 1,000 events in order per key through random failures, none lost, other endpoints unaffected', async () => {
    const strict = await context.receiver();
    const random = seeded(42);
    const failures = new Map<number, number>();
    strict.respond((request) => {
      const { seq } = JSON.parse(request.body).data as { seq: number };
      // Fails about a third of the attempts, never more than twice for one event (the schedule has three retries).
      const failed = failures.get(seq) ?? 0;
      if (failed < 2 && random() < 0.33) {
        failures.set(seq, failed + 1);
        return { status: 503 };
      }
      return { status: 200 };
    });
    const plain = await context.receiver();
    const ordered = await context.tenant.createEndpoint({
      url: strict.url,
      events: ['order.*'],
      ordering: 'strict',
      orderingKey: 'data.orderId',
      retrySchedule: ['0s', '0s', '0s'],
      disableAfterConsecutiveFailures: null,
    });
    expect(ordered).toMatchObject({ ordering: 'strict', orderingKey: 'data.orderId' });
    await context.tenant.createEndpoint({ url: plain.url, events: ['order.*'] });

    const events = Array.from({ length: 1000 }, (_, seq) => ({ type: 'order.updated', data: { orderId: `o${seq % 10}`, seq } }));
    for (let i = 0; i < events.length; i += 250) {
      const posted = await requestJson('POST', `${context.hookline.ingestUrl}/v1/events/batch`, {
        token: context.tenant.apiKey,
        body: { events: events.slice(i, i + 250) },
      });
      expect(posted.status).toBe(202);
    }

    const succeeded = () =>
      strict.requests.filter((q) => q.reply?.status === 200).map((q) => JSON.parse(q.body).data as { orderId: string; seq: number });
    await eventually(async () => new Set(succeeded().map((d) => d.seq)).size === 1000, 180_000, 250);
    // The unordered endpoint got every event too; it did not wait for the strict one's retries.
    await eventually(async () => new Set(plain.requests.map((q) => JSON.parse(q.body).data.seq)).size === 1000, 60_000, 250);

    const delivered = succeeded();
    expect(delivered).toHaveLength(1000);
    for (let key = 0; key < 10; key++) {
      const seqs = delivered.filter((d) => d.orderId === `o${key}`).map((d) => d.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(100);
    }
    expect([...failures.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    expect(await metricValue(context.hookline, 'delivery', 'hookline_ordered_lanes_blocked')).toBe(0);
  });
});
