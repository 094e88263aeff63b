import type { TenantStats, Timeseries, Webhook, WebhookStatsRow } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { describeFailure, encode, ok } from '../api.js';
import { chartLegend, volumeChart } from '../chart.js';
import { count, dateTime, percent, timeAgo } from '../format.js';
import { type App, PollingView } from '../runtime.js';
import { emptyState, errorBox, pill, spinner, statusCodePill } from '../ui.js';
import type { WebhookActions } from './actions.js';

/** The Outgoing tab: every endpoint with its delivery stats and what can be done with it. */
export class WebhooksView extends PollingView {
  readonly tab = 'webhooks' as const;
  private endpoints: Webhook[] | null = null;
  private stats = new Map<string, WebhookStatsRow>();
  private tenant: TenantStats | null = null;
  private series: Timeseries | null = null;
  private error: string | null = null;
  protected readonly pollMs = 4000;

  constructor(
    app: App,
    private readonly actions: WebhookActions,
  ) {
    super(app);
  }

  async load() {
    try {
      const [list, tenant, series, stats] = await Promise.all([
        ok(this.app.admin.GET('/api/admin/webhooks')),
        ok(this.app.admin.GET('/api/admin/stats')),
        ok(this.app.admin.GET('/api/admin/timeseries', { params: { query: { window: '24h' } } })),
        ok(this.app.admin.GET('/api/admin/stats/webhooks')),
      ]);
      this.stats = new Map(stats.data.map((s) => [s.webhookId, s]));
      this.endpoints = list.data.sort((a, b) => a.name.localeCompare(b.name));
      this.tenant = tenant;
      this.series = series;
      this.error = null;
    } catch (error) {
      this.error = describeFailure(error);
    }
    this.app.update();
  }

  render() {
    const configure = this.app.canConfigure();
    return html`
      <div class="page-head">
        <div>
          <h1>Outgoing webhooks</h1>
          <p class="lede">HTTP POST notifications to your services whenever events occur, signed and retried.</p>
        </div>
        ${configure ? html`<button class="button primary" data-testid="add-webhook" @click=${() => this.actions.openForm(undefined, this.reload)}>Add Webhook</button>` : nothing}
      </div>
      ${errorBox(this.error)}
      ${this.tenant ? this.summary(this.tenant) : nothing}
      ${this.endpoints === null ? html`<div class="card center">${spinner()}</div>` : this.table(this.endpoints, configure)}
    `;
  }

  private summary(t: TenantStats) {
    return html`<section class="summary">
      <div class="cards">
        <div class="card stat"><span>Endpoints</span><strong>${t.endpoints.total}</strong><small>${t.endpoints.active} active · ${t.endpoints.disabled} disabled</small></div>
        <div class="card stat"><span>Success rate</span><strong>${percent(t.successRate)}</strong><small>${count(t.succeeded)} of ${count(t.totalDeliveries)} attempts</small></div>
        <div class="card stat"><span>Failures, last 24 h</span><strong class=${t.failuresLast24h ? 'bad' : ''}>${count(t.failuresLast24h)}</strong><small>across all endpoints</small></div>
      </div>
      ${
        this.series
          ? html`<div class="card chart-card compact"><div class="chart-head"><h3>Last 24 hours</h3>${chartLegend([
              ['ok', 'Delivered'],
              ['bad', 'Failed'],
            ])}</div>${volumeChart(this.series)}</div>`
          : nothing
      }
    </section>`;
  }

  private table(endpoints: Webhook[], configure: boolean) {
    if (endpoints.length === 0) {
      return html`<div class="card">${emptyState('No webhooks yet', 'Add an endpoint to start receiving events.', configure ? html`<button class="button primary" @click=${() => this.actions.openForm(undefined, this.reload)}>Add Webhook</button>` : undefined)}</div>`;
    }
    return html`<div class="card table-card">
      <table class="table" data-testid="webhooks-table">
        <thead><tr><th>Endpoint</th><th>Events</th><th class="num">Success rate</th><th>Last delivery</th><th class="num">Total deliveries</th><th class="state-col">State</th><th class="actions-col"></th></tr></thead>
        <tbody>${endpoints.map((e) => this.row(e, configure))}</tbody>
      </table>
    </div>`;
  }

  private row(endpoint: Webhook, configure: boolean) {
    const stats = this.stats.get(endpoint.id);
    const last = stats?.lastDelivery;
    return html`<tr data-testid="webhook-row" data-id=${endpoint.id}>
      <td class="name-cell"><a href="/admin/webhooks/${encode(endpoint.id)}" class="strong">${endpoint.name}</a><div class="url" title=${endpoint.url}>${endpoint.url}</div>
        ${this.actions.testOutcome(endpoint.id)}</td>
      <td><div class="tags">${endpoint.events.slice(0, 3).map((e) => html`<code class="tag">${e}</code>`)}${endpoint.events.length > 3 ? html`<span class="muted">+${endpoint.events.length - 3}</span>` : nothing}</div></td>
      <td class="num" data-testid="success-rate">${stats ? percent(stats.successRate) : '—'}</td>
      <td>${
        last
          ? html`<div title=${dateTime(last.at)}>${timeAgo(last.at)}</div><div>${last.status === 'success' ? pill('ok', `${last.statusCode ?? ''} OK`) : statusCodePill(last.statusCode)}</div>`
          : html`<span class="muted">Never</span>`
      }</td>
      <td class="num" data-testid="total-deliveries">${stats ? count(stats.totalDeliveries) : '—'}</td>
      <td>${
        endpoint.isActive
          ? pill('ok', 'Active')
          : html`${pill('bad', 'Disabled')}<div class="reason">${endpoint.disabledReason ?? 'turned off'}</div>${
              last?.error && !endpoint.disabledReason?.includes(last.error)
                ? html`<div class="reason muted" title=${last.error}>Last error: ${last.error}</div>`
                : nothing
            }`
      }</td>
      <td class="actions">
        ${
          configure
            ? html`<button class="button small" data-testid="send-test" @click=${() => this.actions.sendTest(endpoint, this.reload)}>Send Test</button>
              ${endpoint.isActive ? nothing : html`<button class="button small primary" data-testid="re-enable" @click=${() => this.actions.setActive(endpoint, true, this.reload)}>Re-enable</button>`}
              <button class="button small" data-testid="edit" @click=${() => this.actions.openForm(endpoint, this.reload)}>Edit</button>
              <button class="button small danger-text" data-testid="delete" @click=${() => this.actions.confirmDelete(endpoint, this.reload)}>Delete</button>`
            : html`<a class="button small" href="/admin/webhooks/${encode(endpoint.id)}">View</a>`
        }
      </td>
    </tr>`;
  }
}
