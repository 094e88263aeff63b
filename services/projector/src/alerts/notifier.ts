import {
  type AttemptRecord,
  type ConfigState,
  defaultAlertSettings,
  type EventEnvelope,
  eventRecord,
  hooklineEventPrefix,
  newId,
  type TopicNames,
} from '@hookline/core';
import type { RecordPublisher } from '@hookline/kafka';
import type { AlertWindowDoc } from '@hookline/store';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AlertStore } from '../projection-store.js';
import { type AlertTransition, evaluateAlerts, RecentAttempts } from './evaluate.js';

export const alertEventType = `${hooklineEventPrefix}alert`;

export interface AlertNotifierDeps {
  alerts: AlertStore;
  /** Thresholds, whether a tenant has alerts on, endpoint names. */
  config: { readonly state: ConfigState };
  /** Shared with other writers of the process: concurrent announcements share produce requests. */
  publisher: RecordPublisher;
  topics: TopicNames;
  logger: Logger;
  metrics: Registry;
  minAttempts: number;
  recentSize: number;
}

/**
 * Evaluates each endpoint's alerts after its attempts are projected (and firing ones again on a timer, so a
 * changed threshold resolves them), keeps the state in MongoDB, and announces every fire and resolve as a
 * `hookline.alert` event of the tenant on the `events` topic, from where fanout delivers it like any event to
 * the endpoints that subscribe to it.
 *
 * Attempts of `hookline.*` events are left out of the evaluation: an alert endpoint that fails must not raise
 * alerts about its own alert deliveries, which would alert again on every recovery.
 */
export class AlertNotifier {
  private readonly windows = new Map<string, AlertWindowDoc>();
  /** Endpoints whose cached window was begun without reading the stored one (their tenant had alerts off). */
  private readonly unread = new Set<string>();
  private readonly recent: RecentAttempts;
  /** Evaluations of one endpoint run one after another (batches and the timer may overlap). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly transitionsOut: Counter<'rule' | 'state'>;

  constructor(private readonly deps: AlertNotifierDeps) {
    this.recent = new RecentAttempts(deps.recentSize);
    this.transitionsOut = new Counter({
      name: 'hookline_alerts_total',
      help: 'Alerts fired and resolved, by rule',
      labelNames: ['rule', 'state'],
      registers: [deps.metrics],
    });
  }

  /** Partitions moved: another projector may have changed what this one cached. */
  forget(): void {
    this.windows.clear();
    this.unread.clear();
    this.recent.clear();
  }

  /** After a batch: `attempts` are the projected (new) attempts of the given endpoints, in order. */
  async afterAttempts(attempts: AttemptRecord[]): Promise<void> {
    const byEndpoint = new Map<string, AttemptRecord[]>();
    for (const a of attempts) {
      // Tracked also while a tenant's alerts are off: switched on, they judge the last 24 h, not only what follows
      // (and a settings change that reaches this view a moment after the first attempts misses none of them).
      if (a.eventType.startsWith(hooklineEventPrefix)) continue;
      const list = byEndpoint.get(a.endpointId);
      if (list) list.push(a);
      else byEndpoint.set(a.endpointId, [a]);
    }
    await Promise.all(
      [...byEndpoint].map(([endpointId, list]) => this.serially(endpointId, () => this.evaluate(endpointId, list[0]!.tenantId, list))),
    );
  }

  /** Re-evaluates endpoints with firing alerts (new thresholds, alerts switched off and on, a 24 h window). */
  async reevaluateFiring(): Promise<void> {
    const firing = [...this.windows.values()].filter((w) => Object.keys(w.firing).length > 0 && this.enabledFor(w.tenantId));
    await Promise.all(firing.map((w) => this.serially(w._id, () => this.evaluate(w._id, w.tenantId, []))));
  }

  private enabledFor(tenantId: string): boolean {
    return this.deps.config.state.alertSettings.get(tenantId)?.enabled ?? defaultAlertSettings.enabled;
  }

  private serially(endpointId: string, work: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(endpointId) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      // Alerts are a side channel: a failure here must not stop projection; the next batch evaluates again.
      this.deps.logger.error({ err: error, endpointId }, 'alert evaluation failed');
    });
    this.queues.set(endpointId, run);
    void run.finally(() => this.queues.get(endpointId) === run && this.queues.delete(endpointId));
    return run;
  }

  private async evaluate(endpointId: string, tenantId: string, attempts: AttemptRecord[]): Promise<void> {
    const { alerts, config } = this.deps;
    const now = new Date();
    const settings = { ...defaultAlertSettings, ...config.state.alertSettings.get(tenantId) };
    const before = await this.windowOf(endpointId, tenantId, settings.enabled, now);
    // Recent attempts are kept for tenants with alerts on only: for every endpoint of every tenant they would cost memory.
    const recent =
      attempts.length && settings.enabled
        ? this.recent.add(
            endpointId,
            attempts.map((a) => ({ ok: a.outcome === 'success', durationMs: a.durationMs })),
          )
        : this.recent.get(endpointId);
    const result = evaluateAlerts({
      thresholds: settings,
      window: before,
      recent,
      newFailures: attempts.filter((a) => a.outcome === 'failure').length,
      lastOk: attempts.length ? attempts.at(-1)!.outcome === 'success' : undefined,
      minAttempts: this.deps.minAttempts,
      now,
    });
    if (!settings.enabled) {
      // Off: keep counting, announce nothing (open alerts stay open until alerts are on again).
      result.transitions = [];
      result.restartRecent = false;
    }
    if (result.restartRecent) this.recent.restart(endpointId);
    const window = result.window;
    const endpointName = config.state.endpoints.get(endpointId)?.name ?? endpointId;
    for (const transition of result.transitions) {
      if (transition.state === 'firing') {
        const alertId = newId('alr', now.getTime());
        window.firing[transition.rule] = { alertId, firedAt: now.toISOString(), value: transition.value, threshold: transition.threshold };
        await alerts.recordFired({
          _id: alertId,
          tenantId,
          endpointId,
          endpointName,
          rule: transition.rule,
          state: 'firing',
          value: transition.value,
          threshold: transition.threshold,
          message: transition.message,
          firedAt: now.toISOString(),
        });
        await this.announce(alertId, tenantId, endpointId, endpointName, transition, now);
      } else {
        const fired = before.firing[transition.rule]!;
        await alerts.recordResolved(fired.alertId, now.toISOString(), transition.message);
        await this.announce(fired.alertId, tenantId, endpointId, endpointName, transition, now);
      }
      this.transitionsOut.inc({ rule: transition.rule, state: transition.state });
      this.deps.logger.info({ endpointId, rule: transition.rule, state: transition.state, value: transition.value }, 'alert');
    }
    // Successes alone change nothing stored: the hot path costs no write unless something failed or changed.
    // Stored only for tenants with alerts on: off, it costs no MongoDB round trip (and is lost on a restart).
    const changed =
      window.windowFailed !== before.windowFailed || window.windowStart !== before.windowStart || result.transitions.length > 0;
    if (settings.enabled && changed) await alerts.saveWindow(window);
    this.windows.set(endpointId, window);
  }

  /**
   * The endpoint's window: cached, else stored (read only when alerts are on), else a new one. A window begun
   * while alerts were off takes over what is stored (open alerts) the first time they are on.
   */
  private async windowOf(endpointId: string, tenantId: string, enabled: boolean, now: Date): Promise<AlertWindowDoc> {
    const cached = this.windows.get(endpointId);
    if (cached && !(enabled && this.unread.has(endpointId))) return cached;
    if (!enabled) {
      this.unread.add(endpointId);
      return { _id: endpointId, tenantId, windowStart: now.toISOString(), windowFailed: 0, firing: {} };
    }
    this.unread.delete(endpointId);
    const stored = await this.deps.alerts.window(endpointId);
    if (!cached) return stored ?? { _id: endpointId, tenantId, windowStart: now.toISOString(), windowFailed: 0, firing: {} };
    return { ...cached, firing: { ...stored?.firing, ...cached.firing } };
  }

  /** The `hookline.alert` event; its id is the alert's and state's, so a repeated announcement has the same `webhook-id`. */
  private async announce(
    alertId: string,
    tenantId: string,
    endpointId: string,
    endpointName: string,
    t: AlertTransition,
    now: Date,
  ): Promise<void> {
    const event: EventEnvelope = {
      id: `${alertId}.${t.state}`,
      type: alertEventType,
      tenantId,
      timestamp: now.toISOString(),
      data: {
        alertId,
        rule: t.rule,
        state: t.state,
        endpointId,
        endpointName,
        value: t.value,
        threshold: t.threshold,
        message: `${endpointName}: ${t.message}`,
      },
    };
    // Acknowledged by every in-sync replica before the transition counts as announced.
    await this.deps.publisher.publish([{ topic: this.deps.topics.events, records: [eventRecord(event)] }]);
  }
}
