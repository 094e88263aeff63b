import type { Attempt, DeliveryDetail, Webhook } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { describeFailure, encode, ok } from '../api.js';
import { dateTime, ms } from '../format.js';
import type { App, View } from '../runtime.js';
import { deliveryStatusPill, errorBox, spinner, statusCodePill } from '../ui.js';

/** One delivery: every attempt's request (what was sent where) and response (status, headers, body excerpt). */
export class DeliveryDetailView implements View {
  readonly tab = 'webhooks' as const;
  private delivery: DeliveryDetail | null = null;
  private endpoint: Webhook | null = null;
  private retryable = false;
  private error: string | null = null;

  constructor(
    private readonly app: App,
    private readonly endpointId: string,
    private readonly deliveryId: string,
  ) {}

  start() {
    void this.load();
  }

  async load() {
    const path = { id: this.endpointId, deliveryId: this.deliveryId };
    try {
      const [endpoint, delivery] = await Promise.all([
        ok(this.app.admin.GET('/api/admin/webhooks/{id}', { params: { path } })),
        ok(this.app.admin.GET('/api/admin/webhooks/{id}/deliveries/{deliveryId}', { params: { path } })),
      ]);
      this.endpoint = endpoint;
      this.delivery = delivery;
      // A delivery that failed for good is a dead letter, which is what retry sends again.
      this.retryable = delivery.status === 'failed';
      this.error = null;
    } catch (error) {
      this.error = describeFailure(error);
    }
    this.app.update();
  }

  private async retry() {
    try {
      const queued = await ok(
        this.app.admin.POST('/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry', {
          params: { path: { id: this.endpointId, deliveryId: this.deliveryId } },
        }),
      );
      this.app.toast('ok', `Retry queued as attempt ${queued.attempt}`);
      this.retryable = false;
      setTimeout(() => void this.load(), 1500);
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    }
  }

  render() {
    const d = this.delivery;
    if (!d) return html`${errorBox(this.error)}<div class="card center">${spinner()}</div>`;
    return html`
      <nav class="crumbs"><a href="/admin/webhooks">Outgoing webhooks</a> <span>/</span>
        <a href="/admin/webhooks/${encode(this.endpointId)}">${this.endpoint?.name ?? 'Endpoint'}</a> <span>/</span> Delivery</nav>
      <div class="page-head">
        <div>
          <h1>Delivery ${deliveryStatusPill(d.status)}</h1>
          <p class="lede"><code>${d.id}</code> · event <code>${d.event}</code> · ${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}</p>
        </div>
        ${this.app.canConfigure() && this.retryable ? html`<div class="head-actions"><button class="button primary" data-testid="retry" @click=${() => this.retry()}>Retry now</button></div>` : nothing}
      </div>
      ${errorBox(this.error)}
      ${[...d.attemptsLog].reverse().map((a) => this.attempt(a))}
    `;
  }

  private attempt(a: Attempt) {
    const headers = Object.entries(a.responseHeaders ?? {});
    return html`<section class="card attempt" data-testid="attempt">
      <div class="card-head">
        <h3>Attempt ${a.attempt} ${a.outcome === 'success' ? deliveryStatusPill('success') : deliveryStatusPill('failed')}</h3>
        <span class="muted">${dateTime(a.startedAt)} · ${ms(a.durationMs)}${a.final ? '' : ' · will be retried'}</span>
      </div>
      <div class="exchange">
        <div>
          <h4>Request</h4>
          <dl class="kv">
            <dt>Method</dt><dd><code>POST</code></dd>
            <dt>URL</dt><dd><code>${a.url}</code></dd>
            <dt>webhook-id</dt><dd><code>${a.deliveryId}</code></dd>
            <dt>Event</dt><dd><code>${a.eventType}</code> · <code>${a.eventId}</code></dd>
            ${
              a.request
                ? html`<dt>Headers</dt><dd><pre class="code" data-testid="request-headers">${Object.entries(a.request.headers)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join('\n')}</pre></dd>`
                : nothing
            }
          </dl>
          ${
            a.request
              ? html`<h4>Body${a.request.bodyTruncated ? ' (cut)' : ''}</h4><pre class="code" data-testid="request-body">${a.request.body}</pre>`
              : nothing
          }
        </div>
        <div>
          <h4>Response</h4>
          <dl class="kv">
            <dt>Status</dt><dd>${statusCodePill(a.statusCode)}</dd>
            ${a.errorMessage ? html`<dt>Error</dt><dd class="bad">${a.errorClass ? `${a.errorClass}: ` : ''}${a.errorMessage}</dd>` : nothing}
            ${headers.length ? html`<dt>Headers</dt><dd><pre class="code">${headers.map(([k, v]) => `${k}: ${v}`).join('\n')}</pre></dd>` : nothing}
          </dl>
          <h4>Body</h4>
          ${a.responseExcerpt ? html`<pre class="code" data-testid="response-body">${a.responseExcerpt}</pre>` : html`<p class="muted">No body</p>`}
        </div>
      </div>
    </section>`;
  }
}
