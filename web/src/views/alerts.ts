import type { Alert, AlertSettings } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { ApiError, describeFailure, encode, ok } from '../api.js';
import { dateTime, timeAgo } from '../format.js';
import { type App, PollingView } from '../runtime.js';
import { emptyState, errorBox, formValues, pill, spinner } from '../ui.js';

/**
 * Firing alerts for the banner on every page, refreshed every 10 s while signed in. A server without the
 * alerts API answers 404; the page then shows no banner and says so on the Alerts tab instead of failing.
 */
export class AlertFeed {
  firing: Alert[] = [];
  private stopTimer = () => {};

  constructor(private readonly app: App) {}

  async refresh() {
    try {
      this.firing = (await ok(this.app.admin.GET('/api/admin/alerts', { params: { query: { state: 'firing' } } }))).data;
    } catch {
      this.firing = [];
    }
    this.app.update();
  }

  /** Loads now and every 10 s until `stop`. */
  start() {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), 10_000);
    this.stopTimer = () => clearInterval(timer);
  }

  stop() {
    this.stopTimer();
    this.firing = [];
  }

  banner() {
    const firing = this.firing;
    if (firing.length === 0) return nothing;
    return html`<div class="banner" role="alert" data-testid="alert-banner">
      <strong>${firing.length} ${firing.length === 1 ? 'alert' : 'alerts'} firing</strong>
      <span>${firing.slice(0, 2).map((a) => html`<a href="/admin/webhooks/${encode(a.endpointId)}">${a.endpointName}</a>: ${a.message}. `)}</span>
      <a href="/admin/alerts">See all</a>
    </div>`;
  }
}

const ruleNames: Readonly<Record<Alert['rule'], string>> = {
  failed_deliveries: 'Failed deliveries',
  response_time: 'Response time',
  success_rate: 'Success rate',
};

/** The Alerts tab: recent alerts and, for owners and admins, the thresholds. */
export class AlertsView extends PollingView {
  readonly tab = 'alerts' as const;
  private alerts: Alert[] | null = null;
  private settings: AlertSettings | null = null;
  private unavailable = false;
  private error: string | null = null;
  private saving = false;
  protected readonly pollMs = 5000;

  async load() {
    try {
      const [alerts, settings] = await Promise.all([
        ok(this.app.admin.GET('/api/admin/alerts')),
        ok(this.app.admin.GET('/api/admin/alerts/settings')),
      ]);
      this.alerts = alerts.data;
      this.settings ??= settings;
      this.error = null;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.unavailable = true;
      else this.error = describeFailure(error);
    }
    this.app.update();
  }

  private async save(e: SubmitEvent) {
    e.preventDefault();
    const values = formValues(e.currentTarget as HTMLFormElement);
    const body: AlertSettings = {
      enabled: values.all('enabled').length > 0,
      failedDeliveries24h: Number(values.get('failedDeliveries24h')),
      responseTimeMs: Number(values.get('responseTimeMs')),
      successRatePercent: Number(values.get('successRatePercent')),
    };
    this.saving = true;
    this.app.update();
    try {
      this.settings = await ok(this.app.admin.PUT('/api/admin/alerts/settings', { body }));
      this.app.toast('ok', 'Alert settings saved');
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    } finally {
      this.saving = false;
      this.app.update();
    }
  }

  render() {
    return html`
      <div class="page-head"><div><h1>Alerts</h1><p class="lede">Endpoints that fail too often or answer too slowly. Notifications go out as <code>hookline.alert</code> events.</p></div></div>
      ${errorBox(this.error)}
      ${
        this.unavailable
          ? html`<div class="card">${emptyState('Alerts are not available', 'This server does not offer the alerts API yet.')}</div>`
          : html`<div class="alerts-layout">${this.list()}${this.form()}</div>`
      }
    `;
  }

  private list() {
    if (this.alerts === null) return html`<div class="card center">${spinner()}</div>`;
    if (this.alerts.length === 0) return html`<div class="card">${emptyState('All quiet', 'No alerts have fired.')}</div>`;
    return html`<div class="card table-card"><table class="table" data-testid="alerts-table">
      <thead><tr><th>State</th><th>Endpoint</th><th>Rule</th><th>Message</th><th>Fired</th></tr></thead>
      <tbody>${this.alerts.map(
        (a) => html`<tr>
          <td>${a.state === 'firing' ? pill('bad', 'Firing') : pill('muted', 'Resolved')}</td>
          <td><a href="/admin/webhooks/${encode(a.endpointId)}">${a.endpointName}</a></td>
          <td>${ruleNames[a.rule] ?? a.rule}</td>
          <td>${a.message}</td>
          <td title=${dateTime(a.firedAt)}>${timeAgo(a.firedAt)}${a.resolvedAt ? html`<div class="muted">resolved ${timeAgo(a.resolvedAt)}</div>` : nothing}</td>
        </tr>`,
      )}</tbody></table></div>`;
  }

  private form() {
    const s = this.settings;
    if (!s) return nothing;
    const disabled = !this.app.canConfigure();
    return html`<form class="card form settings" data-testid="alert-settings" @submit=${(e: SubmitEvent) => this.save(e)}>
      <h3>Alert settings</h3>
      <label class="check"><input type="checkbox" name="enabled" value="on" .checked=${s.enabled} ?disabled=${disabled} /><span>Alerts enabled</span></label>
      <label>Failed deliveries in 24 h at least<input type="number" name="failedDeliveries24h" min="1" .value=${String(s.failedDeliveries24h)} ?disabled=${disabled} /></label>
      <label>Average response time above (ms)<input type="number" name="responseTimeMs" min="1" .value=${String(s.responseTimeMs)} ?disabled=${disabled} /></label>
      <label>Success rate below (%)<input type="number" name="successRatePercent" min="0" max="100" step="0.1" .value=${String(s.successRatePercent)} ?disabled=${disabled} /></label>
      ${disabled ? html`<p class="hint">Only owners and admins change these.</p>` : html`<button class="button primary" ?disabled=${this.saving}>${this.saving ? 'Saving…' : 'Save settings'}</button>`}
    </form>`;
  }
}
