import { eventually } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { metricValue } from './support/metrics.js';

const context = useHookline();

/**
 * An endpoint that keeps failing trips its circuit: Hookline stops sending, holds its tasks back for the
 * cool-down (on a retry tier, unsent, no attempt counted), lets one probe through, and closes on success.
 * Nothing it held back is lost or reordered.
 */
describe('circuit breaker per endpoint', () => {
  it('stops sending to a failing endpoint, probes after the cool-down, and delivers everything it held back in order', async () => {
    const r = await context.receiver();
    let healthy = false;
    r.respond(() => ({ status: healthy ? 200 : 503 }));
    const endpoint = await context.tenant.createEndpoint({
      url: r.url,
      events: ['breaker.*'],
      maxConcurrency: 1,
      retrySchedule: ['5s', '5s', '5s', '5s', '5s', '5s'],
      disableAfterConsecutiveFailures: null,
      circuitBreaker: { minAttempts: 4, failureRatePercent: 100, cooldownSeconds: 5 },
    });
    expect(endpoint.circuitBreaker).toEqual({ minAttempts: 4, failureRatePercent: 100, cooldownSeconds: 5 });
    const opened = await metricValue(context.hookline, 'delivery', 'hookline_circuit_transitions_total', { to: 'open' });
    for (let seq = 0; seq < 12; seq++) await context.tenant.postEvent('breaker.tick', { seq });

    // Four failures open the circuit; the tasks behind them are held back instead of sent.
    await eventually(
      async () => (await metricValue(context.hookline, 'delivery', 'hookline_circuit_transitions_total', { to: 'open' })) > opened,
    );
    expect(await metricValue(context.hookline, 'delivery', 'hookline_circuits', { state: 'open' })).toBeGreaterThanOrEqual(1);
    const sentWhileFailing = r.requests.length;
    expect(sentWhileFailing).toBeLessThan(12);
    const attemptedBeforeOpen = new Set(r.requests.map((q) => JSON.parse(q.body).data.seq as number));

    healthy = true;
    // The probe after the cool-down succeeds and closes the circuit; everything is delivered.
    const delivered = await eventually(
      async () => {
        const ok = r.requests.filter((q) => q.reply?.status === 200).map((q) => JSON.parse(q.body).data.seq as number);
        return new Set(ok).size === 12 ? ok : undefined;
      },
      90_000,
      200,
    );
    expect(await metricValue(context.hookline, 'delivery', 'hookline_circuit_transitions_total', { to: 'closed' })).toBeGreaterThanOrEqual(
      1,
    );
    // Each event succeeded once, and the tasks the circuit held back went out in the order they were accepted.
    expect(delivered).toHaveLength(12);
    const held = delivered.filter((seq) => !attemptedBeforeOpen.has(seq));
    expect(held).toEqual([...held].sort((a, b) => a - b));
  });
});
