import type { AlertWindowDoc } from '@hookline/store';
import { describe, expect, it } from 'vitest';
import { type AlertEvaluationInput, evaluateAlerts, type RecentAttempt, RecentAttempts } from '../src/alerts/evaluate.js';

const now = new Date('2026-01-02T12:00:00Z');
const thresholds = { failedDeliveries24h: 3, responseTimeMs: 5000, successRatePercent: 95 };
const emptyWindow = (over: Partial<AlertWindowDoc> = {}): AlertWindowDoc => ({
  _id: 'ep_1',
  tenantId: 'ten_1',
  windowStart: now.toISOString(),
  windowFailed: 0,
  firing: {},
  ...over,
});
const attempts = (ok: boolean, n: number, durationMs = 20): RecentAttempt[] => Array.from({ length: n }, () => ({ ok, durationMs }));
const firingEntry = { alertId: 'alr_1', firedAt: now.toISOString(), value: 4, threshold: 3 };

function run(over: Partial<AlertEvaluationInput>) {
  return evaluateAlerts({
    thresholds,
    window: emptyWindow(),
    recent: [],
    newFailures: 0,
    lastOk: undefined,
    minAttempts: 10,
    now,
    ...over,
  });
}

describe('failed_deliveries', () => {
  it('fires once the window holds more failures than the threshold, not at it', () => {
    expect(run({ newFailures: 3, lastOk: false }).transitions).toEqual([]);
    const fired = run({ window: emptyWindow({ windowFailed: 3 }), newFailures: 1, lastOk: false });
    expect(fired.transitions).toMatchObject([{ rule: 'failed_deliveries', state: 'firing', value: 4, threshold: 3 }]);
    expect(fired.window.windowFailed).toBe(4);
  });

  it('does not fire again while firing', () => {
    const result = run({
      window: emptyWindow({ windowFailed: 10, firing: { failed_deliveries: firingEntry } }),
      newFailures: 5,
      lastOk: false,
    });
    expect(result.transitions).toEqual([]);
    expect(result.window.firing.failed_deliveries).toEqual(firingEntry);
  });

  it('resolves when an attempt succeeds and restarts the window, so it takes new failures to fire again', () => {
    const result = run({
      window: emptyWindow({ windowFailed: 10, windowStart: '2026-01-02T00:00:00Z', firing: { failed_deliveries: firingEntry } }),
      lastOk: true,
    });
    expect(result.transitions).toMatchObject([{ rule: 'failed_deliveries', state: 'resolved', message: 'deliveries succeed again' }]);
    expect(result.window).toMatchObject({ windowFailed: 0, windowStart: now.toISOString(), firing: {} });
  });

  it('resolves on a timer when the threshold was raised above the count', () => {
    const result = evaluateAlerts({
      thresholds: { ...thresholds, failedDeliveries24h: 50 },
      window: emptyWindow({ windowFailed: 10, firing: { failed_deliveries: firingEntry } }),
      recent: [],
      newFailures: 0,
      lastOk: undefined,
      minAttempts: 10,
      now,
    });
    expect(result.transitions).toMatchObject([{ rule: 'failed_deliveries', state: 'resolved' }]);
  });

  it('forgets failures older than 24 h unless firing', () => {
    const old = emptyWindow({ windowFailed: 3, windowStart: '2025-12-31T00:00:00Z' });
    const result = run({ window: old, newFailures: 1, lastOk: false });
    expect(result.transitions).toEqual([]);
    expect(result.window).toMatchObject({ windowFailed: 1, windowStart: now.toISOString() });
  });
});

describe('response_time', () => {
  it('fires when the recent average is above the threshold and resolves at or below it', () => {
    const fired = run({ recent: [...attempts(true, 3, 6000), ...attempts(true, 1, 4000)] });
    expect(fired.transitions).toMatchObject([{ rule: 'response_time', state: 'firing', value: 5500, threshold: 5000 }]);
    const resolved = run({ window: emptyWindow({ firing: { response_time: firingEntry } }), recent: attempts(true, 2, 5000) });
    expect(resolved.transitions).toMatchObject([{ rule: 'response_time', state: 'resolved', value: 5000 }]);
    expect(resolved.restartRecent).toBe(true);
  });
});

describe('success_rate', () => {
  it('needs the minimum number of attempts: one failure out of one does not fire', () => {
    expect(run({ recent: attempts(false, 1) }).transitions.filter((t) => t.rule === 'success_rate')).toEqual([]);
  });

  it('fires below the threshold and resolves at it', () => {
    const fired = run({ recent: [...attempts(true, 18), ...attempts(false, 2)] });
    expect(fired.transitions).toMatchObject([{ rule: 'success_rate', state: 'firing', value: 90, threshold: 95 }]);
    const resolved = run({
      window: emptyWindow({ firing: { success_rate: firingEntry } }),
      recent: [...attempts(true, 19), ...attempts(false, 1)],
    });
    expect(resolved.transitions).toMatchObject([{ rule: 'success_rate', state: 'resolved', value: 95 }]);
  });
});

describe('RecentAttempts', () => {
  it('keeps the last N attempts of each endpoint', () => {
    const recent = new RecentAttempts(3);
    recent.add('a', attempts(false, 2));
    expect(recent.add('a', attempts(true, 2))).toEqual([
      { ok: false, durationMs: 20 },
      { ok: true, durationMs: 20 },
      { ok: true, durationMs: 20 },
    ]);
    expect(recent.get('b')).toEqual([]);
    recent.restart('a');
    expect(recent.get('a')).toEqual([]);
  });
});
