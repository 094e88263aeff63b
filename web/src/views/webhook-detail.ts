import type { DeliverySummary, ReplayJob, Timeseries, Webhook, WebhookStats } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { describeFailure, encode, ok } from '../api.js';
import { chartLegend, latencyChart, volumeChart } from '../chart.js';
import { count, dateTime, ms, percent, timeAgo } from '../format.js';
import { type App, PollingView } from '../runtime.js';
import { deliveryStatusPill, emptyState, errorBox, type PillKind, pill, spinner, statusCodePill } from '../ui.js';
import type { WebhookActions } from './actions.js';

type Window = '1h' | '24h' | '7d';
type CircuitState = WebhookStats['circuit']['state'];

const circuitPill: Record<CircuitState, [PillKind, string]> = {
  closed: ['ok', 'Closed'],
  'half-open': ['warn', 'Half-open'],
  open: ['bad', 'Open'],
};

/** Time of day to the second (HH:MM:SS), for states that change within minutes. */
const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** One endpoint: its stats, charts, dead letters (retry, replay with progress) and delivery log. */
export class WebhookDetailView extends PollingView {
  readonly tab = 'webhooks' as const;
  private endpoint: Webhook | null = null;
  private stats: WebhookStats | null = null;
  private deliveries: DeliverySummary[] = [];
  /** Dead letters waiting (a failed delivery in the log is one of them, so it gets a Retry button). */
  private deadTotal = 0;
  private series: Timeseries | null = null;
  private window: Window = '1h';
  /** The replay started from this page, as far as its progress bar needs it. */
  private replay: Pick<ReplayJob, 'jobId' | 'state' | 'total' | 'done' | 'error'> | null = null;
  private retrying = new Set<string>();
  private error: string | null = null;
  protected readonly pollMs = 3000;

  constructor(
    app: App,
    private readonly actions: WebhookActions,
    private readonly id: string,
  ) {
    super(app);
  }

  private get path() {
    return { id: this.id };
  }

  async load() {
    try {
      const [endpoint, stats, deliveries, dead, series] = await Promise.all([
        ok(this.app.admin.GET('/api/admin/webhooks/{id}', { params: { path: this.path } })),
        ok(this.app.admin.GET('/api/admin/webhooks/{id}/stats', { params: { path: this.path } })),
        ok(this.app.admin.GET('/api/admin/webhooks/{id}/deliveries', { params: { path: this.path, query: { limit: 50 } } })),
        ok(
          this.app.admin.GET('/api/admin/webhooks/{id}/dead-letters', { params: { path: this.path, query: { state: 'dead', limit: 1 } } }),
        ),
        ok(this.app.admin.GET('/api/admin/webhooks/{id}/timeseries', { params: { path: this.path, query: { window: this.window } } })),
      ]);
      Object.assign(this, { endpoint, stats, deliveries: deliveries.data, series, error: null });
      this.deadTotal = dead.total;
    } catch (error) {
      this.error = describeFailure(error);
    }
    this.app.update();
  }

  private async retry(delivery: DeliverySummary) {
    this.retrying.add(delivery.id);
    this.app.update();
    try {
      const queued = await ok(
        this.app.admin.POST('/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry', {
          params: { path: { ...this.path, deliveryId: delivery.id } },
        }),
      );
      this.app.toast('ok', `Retry queued as attempt ${queued.attempt}`);
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    } finally {
      this.retrying.delete(delivery.id);
    }
    await this.load();
  }

  private async replayFailed() {
    try {
      const { jobId, total } = await ok(this.app.admin.POST('/api/admin/webhooks/{id}/replay', { params: { path: this.path }, body: {} }));
      this.replay = { jobId, total, done: 0, state: 'running' };
      this.app.update();
      while (this.replay.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 300));
        this.replay = await ok(this.app.admin.GET('/api/admin/replays/{jobId}', { params: { path: { jobId } } }));
        this.app.update();
      }
      this.app.toast(
        this.replay.state === 'done' ? 'ok' : 'error',
        this.replay.state === 'done' ? `Replayed ${this.replay.done} deliveries` : `Replay failed: ${this.replay.error ?? 'unknown error'}`,
      );
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    }
    await this.load();
  }

  private setWindow(window: Window) {
    this.window = window;
    this.series = null;
    this.app.update();
    void this.load();
  }

  render() {
    const e = this.endpoint;
    if (!e) return html`${errorBox(this.error)}<div class="card center">${spinner()}</div>`;
    const configure = this.app.canConfigure();
    const s = this.stats;
    return html`
      <nav class="crumbs"><a href="/admin/webhooks">Outgoing webhooks</a> <span>/</span> ${e.name}</nav>
      <div class="page-head">
        <div>
          <h1>${e.name} ${e.isActive ? pill('ok', 'Active') : pill('bad', 'Disabled')}</h1>
          <p class="lede"><code>${e.url}</code></p>
          <div class="tags">${e.events.map((ev) => html`<code class="tag">${ev}</code>`)}</div>
          ${!e.isActive && e.disabledReason ? html`<p class="reason">Disabled: ${e.disabledReason}${e.disabledAt ? ` (${timeAgo(e.disabledAt)})` : ''}</p>` : nothing}
        </div>
        ${
          configure
            ? html`<div class="head-actions">
              ${this.actions.testOutcome(e.id)}
              <button class="button" data-testid="send-test" @click=${() => this.actions.sendTest(e, this.reload)}>Send Test</button>
              <button class="button" @click=${() => this.actions.openForm(e, this.reload)}>Edit</button>
              ${
                e.isActive
                  ? html`<button class="button" @click=${() => this.actions.setActive(e, false, this.reload)}>Disable</button>`
                  : html`<button class="button primary" data-testid="re-enable" @click=${() => this.actions.setActive(e, true, this.reload)}>Re-enable</button>`
              }
              <button class="button danger-text" @click=${() => this.actions.confirmDelete(e, () => this.app.navigate('/admin/webhooks'))}>Delete</button>
            </div>`
            : nothing
        }
      </div>
      ${errorBox(this.error)}
      ${
        s
          ? html`<div class="cards six">
            <div class="card stat"><span>Success rate</span><strong data-testid="detail-success-rate">${percent(s.successRate)}</strong></div>
            <div class="card stat"><span>Total deliveries</span><strong data-testid="detail-total">${count(s.totalDeliveries)}</strong></div>
            <div class="card stat"><span>Average response</span><strong>${ms(s.averageResponseTimeMs)}</strong></div>
            <div class="card stat"><span>p95 response</span><strong>${s.p95ResponseTimeMs === null ? '—' : `≤ ${ms(s.p95ResponseTimeMs)}`}</strong></div>
            <div class="card stat"><span>Failures, 24 h</span><strong class=${s.failuresLast24h ? 'bad' : ''}>${count(s.failuresLast24h)}</strong></div>
            <div class="card stat"><span>Last delivery</span><strong class="small-strong">${s.lastDelivery ? timeAgo(s.lastDelivery.at) : 'Never'}</strong>${s.lastDelivery ? html`<small>${s.lastDelivery.status === 'success' ? 'delivered' : (s.lastDelivery.error ?? 'failed')}</small>` : nothing}</div>
          </div>`
          : nothing
      }
      ${this.deliveryState(e, s)}
      ${this.charts()}
      ${this.deadLetters(configure, e)}
      ${this.log(configure)}
    `;
  }

  /** The circuit breaker (state, history) and strict ordering (blocked since when), when the endpoint uses them. */
  private deliveryState(e: Webhook, s: WebhookStats | null) {
    if (!s?.circuit || !s.ordering) return nothing;
    const { circuit, ordering } = s;
    const showCircuit = Boolean(e.circuitBreaker) || circuit.history.length > 0;
    const showOrdering = e.ordering === 'strict' || ordering.blocked;
    if (!showCircuit && !showOrdering) return nothing;
    const [kind, label] = circuitPill[circuit.state];
    return html`<section class="card table-card" data-testid="delivery-state">
      ${
        showCircuit
          ? html`<div class="card-head">
              <h3>Circuit breaker <span data-testid="circuit-state">${pill(kind, label, circuit.reason)}</span></h3>
              <span class="muted" data-testid="circuit-since">${
                circuit.since
                  ? `since ${clock(circuit.since)}${circuit.until ? ` · next probe at ${clock(circuit.until)}` : ''}`
                  : 'never tripped'
              }</span>
            </div>
            ${
              circuit.history.length
                ? html`<table class="table" data-testid="circuit-history">
                  <thead><tr><th>Time</th><th>Change</th><th>Why</th></tr></thead>
                  <tbody>
                    ${circuit.history.slice(0, 10).map(
                      (t) => html`<tr>
                        <td title=${dateTime(t.at)}>${clock(t.at)}</td>
                        <td>${circuitPill[t.from][1]} → ${circuitPill[t.to][1]}</td>
                        <td>${t.reason}${t.until ? html` <span class="muted">(probe at ${clock(t.until)})</span>` : nothing}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
                : nothing
            }`
          : nothing
      }
      ${
        showOrdering
          ? html`<div class="card-head">
              <h3>Strict ordering ${ordering.blocked ? pill('bad', 'Blocked') : pill('ok', 'Flowing')}</h3>
              <span class="muted" data-testid="ordering-state">${
                ordering.blocked && ordering.blockedSince
                  ? `blocked since ${clock(ordering.blockedSince)}, ${count(ordering.blockedLanes)} ${ordering.blockedLanes === 1 ? 'lane' : 'lanes'}${
                      ordering.lanes.some((l) => l.key !== null)
                        ? ` (${ordering.lanes.map((l) => l.key).join(', ')}${ordering.blockedLanes > ordering.lanes.length ? ', …' : ''})`
                        : ''
                    }`
                  : 'no delivery is waiting behind a failing one'
              }</span>
            </div>`
          : nothing
      }
    </section>`;
  }

  private charts() {
    const windows: Window[] = ['1h', '24h', '7d'];
    return html`<section class="card chart-card">
      <div class="chart-head">
        <h3>Deliveries</h3>
        <div class="segmented">${windows.map((w) => html`<button class=${w === this.window ? 'on' : ''} @click=${() => this.setWindow(w)}>${w}</button>`)}</div>
      </div>
      ${
        this.series
          ? html`<div class="chart-pair">
            <div>${chartLegend([
              ['ok', 'Delivered'],
              ['bad', 'Failed'],
            ])}${volumeChart(this.series)}</div>
            <div>${chartLegend([
              ['avg', 'Average response'],
              ['p95', 'p95 (bucket bound)'],
            ])}${latencyChart(this.series)}</div>
          </div>`
          : html`<div class="center">${spinner()}</div>`
      }
    </section>`;
  }

  private deadLetters(configure: boolean, e: Webhook) {
    const job = this.replay;
    const running = job?.state === 'running';
    if (this.deadTotal === 0 && !job) return nothing;
    const done = job ? (job.total === 0 ? 100 : Math.round((job.done / job.total) * 100)) : 0;
    return html`<section class="card dead-letters">
      <div>
        <h3>${this.deadTotal === 0 ? 'No failed deliveries waiting' : html`${count(this.deadTotal)} failed ${this.deadTotal === 1 ? 'delivery' : 'deliveries'} waiting`}</h3>
        <p class="muted">Deliveries that ran out of retries (or were parked while the endpoint was disabled). Fix the endpoint, then send them again.</p>
        ${
          job
            ? html`<div class="progress" data-testid="replay-progress" role="progressbar" aria-valuenow=${done} aria-valuemin="0" aria-valuemax="100">
                <svg viewBox="0 0 100 8" preserveAspectRatio="none"><rect class="bar" width=${done} height="8"></rect></svg>
              </div>
              <small data-testid="replay-status">${running ? `Replaying… ${job.done} of ${job.total}` : job.state === 'done' ? `Replayed ${job.done} of ${job.total}` : `Replay failed: ${job.error ?? ''}`}</small>`
            : nothing
        }
      </div>
      ${
        configure
          ? html`<button class="button primary" data-testid="replay" ?disabled=${running || this.deadTotal === 0 || !e.isActive} title=${e.isActive ? '' : 'Re-enable the endpoint first'} @click=${() => this.replayFailed()}>
            ${running ? 'Replaying…' : 'Replay failed'}</button>`
          : nothing
      }
    </section>`;
  }

  private log(configure: boolean) {
    return html`<section class="card table-card">
      <div class="card-head"><h3>Delivery log</h3><span class="muted">Newest first · refreshes every few seconds</span></div>
      ${
        this.deliveries.length === 0
          ? emptyState('No deliveries yet', 'Send a test, or wait for an event this endpoint subscribes to.')
          : html`<table class="table" data-testid="delivery-log">
            <thead><tr><th>Time</th><th>Event</th><th>Status</th><th>Response</th><th class="num">Response time</th><th class="num">Attempts</th><th class="actions-col"></th></tr></thead>
            <tbody>
              ${this.deliveries.map((d) => this.logRow(d, configure))}
            </tbody>
          </table>`
      }
    </section>`;
  }

  private logRow(d: DeliverySummary, configure: boolean) {
    const href = `/admin/webhooks/${encode(this.id)}/deliveries/${encode(d.id)}`;
    // The whole row opens the delivery; the link in it does the same for the keyboard.
    return html`<tr class="clickable" data-testid="delivery-row" data-status=${d.status} @click=${(ev: Event) => (ev.target as Element).closest('button, a') || this.app.navigate(href)}>
      <td title=${dateTime(d.timestamp)}><a href=${href} class="quiet">${timeAgo(d.timestamp)}</a></td>
      <td><code>${d.event}</code></td>
      <td>${deliveryStatusPill(d.status)}</td>
      <td>${statusCodePill(d.response_code)}${d.lastError ? html`<div class="reason muted">${d.lastError}</div>` : nothing}</td>
      <td class="num">${ms(d.response_time_ms)}</td>
      <td class="num">${d.attempts}</td>
      <td class="actions">
        ${
          configure && d.status === 'failed'
            ? html`<button class="button small" data-testid="retry" ?disabled=${this.retrying.has(d.id)} @click=${() => this.retry(d)}>${this.retrying.has(d.id) ? 'Retrying…' : 'Retry'}</button>`
            : nothing
        }
      </td>
    </tr>`;
  }
}
