import { defaultCircuitSettings } from '@hookline/delivery-policy';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers, type CircuitTransition } from '../src/circuit-breaker.js';

const settings = {
  ...defaultCircuitSettings,
  minAttempts: 4,
  failureRatePercent: 80,
  windowMs: 10_000,
  cooldownMs: 1_000,
  maxCooldownMs: 3_000,
};

function breakers() {
  let now = 0;
  const transitions: CircuitTransition[] = [];
  const circuits = new CircuitBreakers(
    (t) => transitions.push(t),
    () => now,
  );
  return { circuits, transitions, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreakers', () => {
  it('opens at the failure rate once the window holds enough attempts, and defers for the cool-down', () => {
    const { circuits, transitions, advance } = breakers();
    for (const failed of [true, false, true, true]) circuits.record('ep', settings, failed, false);
    expect(circuits.admit('ep', settings)).toEqual({ send: true, probe: false }); // 3 of 4 = 75 % < 80 %
    circuits.record('ep', settings, true, false);
    // 4 of 5 = 80 %: open.
    expect(transitions.map((t) => [t.to, t.reason])).toEqual([['open', '4 of the last 5 attempts failed']]);
    expect(circuits.admit('ep', settings)).toEqual({ send: false, retryInMs: 1_000 });
    advance(600);
    expect(circuits.admit('ep', settings)).toEqual({ send: false, retryInMs: 400 });
    expect(circuits.admit('other', settings)).toEqual({ send: true, probe: false });
  });

  it('lets one probe through after the cool-down; success closes, failure doubles the cool-down up to the maximum', () => {
    const { circuits, transitions, advance } = breakers();
    for (let i = 0; i < 4; i++) circuits.record('ep', settings, true, false);
    advance(1_000);
    expect(circuits.admit('ep', settings)).toEqual({ send: true, probe: true });
    expect(circuits.admit('ep', settings).send).toBe(false); // one probe at a time
    circuits.record('ep', settings, true, true);
    expect(circuits.admit('ep', settings)).toEqual({ send: false, retryInMs: 2_000 });
    advance(2_000);
    expect(circuits.admit('ep', settings).send).toBe(true);
    circuits.record('ep', settings, true, true);
    expect(circuits.admit('ep', settings)).toEqual({ send: false, retryInMs: 3_000 }); // capped
    advance(3_000);
    expect(circuits.admit('ep', settings)).toEqual({ send: true, probe: true });
    circuits.record('ep', settings, false, true);
    expect(circuits.admit('ep', settings)).toEqual({ send: true, probe: false });
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'open', 'half-open', 'closed']);
    expect(circuits.countNotClosed()).toEqual({ open: 0, halfOpen: 0 });
  });

  it('forgets outcomes older than the window, and a probe that was not sent lets another go', () => {
    const { circuits, transitions, advance } = breakers();
    for (let i = 0; i < 3; i++) circuits.record('ep', settings, true, false);
    advance(10_001);
    circuits.record('ep', settings, true, false);
    expect(transitions).toEqual([]);
    for (let i = 0; i < 3; i++) circuits.record('ep', settings, true, false);
    advance(1_000);
    expect(circuits.admit('ep', settings)).toEqual({ send: true, probe: true });
    circuits.cancelProbe('ep');
    expect(circuits.admit('ep', settings)).toEqual({ send: true, probe: true });
  });

  it('does nothing for an endpoint without a breaker and keeps no state for healthy ones', () => {
    const { circuits } = breakers();
    for (let i = 0; i < 50; i++) circuits.record('ep', null, true, false);
    expect(circuits.admit('ep', null)).toEqual({ send: true, probe: false });
    for (let i = 0; i < 50; i++) circuits.record('ok', settings, false, false);
    expect(circuits.countNotClosed()).toEqual({ open: 0, halfOpen: 0 });
  });
});
