import type { AlertRule } from '@hookline/core';
import type { AlertWindowDoc } from '@hookline/store';

export interface AlertThresholds {
  failedDeliveries24h: number;
  responseTimeMs: number;
  successRatePercent: number;
}

/** One recent attempt as the response-time and success-rate rules see it. */
export interface RecentAttempt {
  ok: boolean;
  durationMs: number;
}

export interface AlertEvaluationInput {
  thresholds: AlertThresholds;
  window: AlertWindowDoc;
  /** The endpoint's latest attempts, oldest first (bounded; see `RecentAttempts`). */
  recent: RecentAttempt[];
  /** Failed attempts since the last evaluation. */
  newFailures: number;
  /** Whether the newest attempt succeeded; undefined when re-evaluating without new attempts (timer). */
  lastOk: boolean | undefined;
  /** Attempts needed before the success rate is judged, so one failure out of one does not fire. */
  minAttempts: number;
  now: Date;
}

export interface AlertTransition {
  rule: AlertRule;
  state: 'firing' | 'resolved';
  value: number;
  threshold: number;
  /** Without the endpoint's name, which the caller puts in front. */
  message: string;
}

export interface AlertEvaluation {
  window: AlertWindowDoc;
  transitions: AlertTransition[];
  /** A response-time or success-rate alert resolved: judge the next one on attempts after the recovery. */
  restartRecent: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Decides which alerts of one endpoint fire or resolve. Pure: the caller loads and stores the window and
 * publishes the transitions. Each rule fires on the transition into breach (never twice while firing) and
 * resolves on recovery:
 * - failed_deliveries: more than N failed attempts in the window (at most 24 h, restarted when the alert
 *   resolves, so it takes N new failures to fire again); resolves when an attempt succeeds or the count drops
 *   to N or below (a raised threshold).
 * - response_time: average duration of the recent attempts above T ms; resolves when it is at or below T.
 * - success_rate: success percentage of the recent attempts (at least `minAttempts`) below P; resolves at P.
 */
export function evaluateAlerts(input: AlertEvaluationInput): AlertEvaluation {
  const { thresholds, recent, newFailures, lastOk, minAttempts, now } = input;
  const firing = { ...input.window.firing };
  let { windowStart, windowFailed } = input.window;
  if (!firing.failed_deliveries && now.getTime() - Date.parse(windowStart) > DAY_MS) {
    windowStart = now.toISOString();
    windowFailed = 0;
  }
  windowFailed += newFailures;
  const transitions: AlertTransition[] = [];
  let restartRecent = false;

  const failed = { value: windowFailed, threshold: thresholds.failedDeliveries24h };
  if (!firing.failed_deliveries && failed.value > failed.threshold) {
    transitions.push({
      rule: 'failed_deliveries',
      state: 'firing',
      ...failed,
      message: `${failed.value} failed deliveries since ${windowStart} (threshold ${failed.threshold})`,
    });
  } else if (firing.failed_deliveries && (lastOk === true || failed.value <= failed.threshold)) {
    transitions.push({
      rule: 'failed_deliveries',
      state: 'resolved',
      ...failed,
      message: lastOk ? 'deliveries succeed again' : `${failed.value} failed deliveries, at or below the threshold of ${failed.threshold}`,
    });
    windowStart = now.toISOString();
    windowFailed = 0;
  }

  if (recent.length > 0) {
    const average = Math.round(recent.reduce((n, a) => n + a.durationMs, 0) / recent.length);
    const slow = { value: average, threshold: thresholds.responseTimeMs };
    const over = `average response time ${average} ms over the last ${recent.length} attempts`;
    if (!firing.response_time && slow.value > slow.threshold) {
      transitions.push({ rule: 'response_time', state: 'firing', ...slow, message: `${over} (threshold ${slow.threshold} ms)` });
    } else if (firing.response_time && slow.value <= slow.threshold) {
      transitions.push({ rule: 'response_time', state: 'resolved', ...slow, message: `${over}, back within ${slow.threshold} ms` });
      restartRecent = true;
    }
  }

  if (recent.length >= Math.max(1, minAttempts)) {
    const rate = Math.round((recent.filter((a) => a.ok).length / recent.length) * 1000) / 10;
    const low = { value: rate, threshold: thresholds.successRatePercent };
    const over = `success rate ${rate}% over the last ${recent.length} attempts`;
    if (!firing.success_rate && low.value < low.threshold) {
      transitions.push({ rule: 'success_rate', state: 'firing', ...low, message: `${over} (threshold ${low.threshold}%)` });
    } else if (firing.success_rate && low.value >= low.threshold) {
      transitions.push({ rule: 'success_rate', state: 'resolved', ...low, message: `${over}, back at or above ${low.threshold}%` });
      restartRecent = true;
    }
  }

  for (const t of transitions) if (t.state === 'resolved') delete firing[t.rule];
  return { window: { ...input.window, windowStart, windowFailed, firing }, transitions, restartRecent };
}

/** The last `size` attempts of each endpoint, in memory (rebuilt from new attempts after a restart). */
export class RecentAttempts {
  private readonly byEndpoint = new Map<string, RecentAttempt[]>();

  constructor(private readonly size = 100) {}

  add(endpointId: string, attempts: RecentAttempt[]): RecentAttempt[] {
    const list = [...(this.byEndpoint.get(endpointId) ?? []), ...attempts].slice(-this.size);
    this.byEndpoint.set(endpointId, list);
    return list;
  }

  get(endpointId: string): RecentAttempt[] {
    return this.byEndpoint.get(endpointId) ?? [];
  }

  restart(endpointId: string): void {
    this.byEndpoint.delete(endpointId);
  }

  clear(): void {
    this.byEndpoint.clear();
  }
}
