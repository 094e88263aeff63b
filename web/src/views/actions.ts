import type { TestResult, Webhook } from '@hookline/api-client';
import { html, nothing, type TemplateResult } from 'lit-html';
import { describeFailure, ok } from '../api.js';
import { ms } from '../format.js';
import type { App } from '../runtime.js';
import { modal, pill } from '../ui.js';
import { WebhookForm } from './webhook-form.js';

interface TestEntry {
  running: boolean;
  result?: TestResult;
  error?: string;
}

/**
 * What the list and an endpoint's page both do to an endpoint: send a test (its outcome stays shown while the
 * page is open, on whichever view), edit, turn on or off, delete. Created once at start-up.
 */
export class WebhookActions {
  /** Send Test's outcome per endpoint, shown inline where the button is. */
  private readonly testResults = new Map<string, TestEntry>();
  private readonly form: WebhookForm;

  constructor(private readonly app: App) {
    this.form = new WebhookForm(app);
  }

  /** Add Webhook (no `existing`) and Edit. */
  openForm(existing: Webhook | undefined, onSaved: (saved: Webhook) => void) {
    return this.form.open(existing, onSaved);
  }

  async sendTest(endpoint: Webhook, after?: () => void) {
    const { admin, update } = this.app;
    this.testResults.set(endpoint.id, { running: true });
    update();
    try {
      const result = await ok(admin.POST('/api/admin/webhooks/{id}/test', { params: { path: { id: endpoint.id } }, body: {} }));
      this.testResults.set(endpoint.id, { running: false, result });
    } catch (error) {
      this.testResults.set(endpoint.id, { running: false, error: describeFailure(error) });
    }
    update();
    after?.();
  }

  testOutcome(endpointId: string): TemplateResult | typeof nothing {
    const entry = this.testResults.get(endpointId);
    if (!entry) return nothing;
    if (entry.running) return html`<span class="test-outcome" data-testid="test-outcome">${pill('info', 'Sending test…')}</span>`;
    if (entry.error)
      return html`<span class="test-outcome" data-testid="test-outcome">${pill('bad', 'Test failed')} <span class="muted">${entry.error}</span></span>`;
    const r = entry.result!;
    return html`<span class="test-outcome" data-testid="test-outcome" title=${r.responseExcerpt ?? ''}>
      ${r.outcome === 'success' ? pill('ok', `Test delivered · ${r.statusCode}`) : pill('bad', `Test failed${r.statusCode ? ` · ${r.statusCode}` : ''}`)}
      <span class="muted">${ms(r.durationMs)}${r.error ? ` · ${r.error}` : ''}</span></span>`;
  }

  /** Turns an endpoint on or off (re-enabling clears the auto-disable reason). */
  async setActive(endpoint: Webhook, isActive: boolean, after: () => void) {
    try {
      await ok(this.app.admin.PATCH('/api/admin/webhooks/{id}', { params: { path: { id: endpoint.id } }, body: { isActive } }));
      this.app.toast('ok', `${endpoint.name} ${isActive ? 're-enabled' : 'disabled'}`);
      after();
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    }
  }

  confirmDelete(endpoint: Webhook, after: () => void) {
    const { admin, closeModal, toast } = this.app;
    this.app.openModal(() =>
      modal(
        closeModal,
        'Delete webhook',
        html`<p>Delete <strong>${endpoint.name}</strong>? It stops receiving events at once; its delivery log stays readable until cleaned up.</p>`,
        html`<button class="button" @click=${closeModal}>Cancel</button>
          <button
            class="button danger"
            @click=${async () => {
              try {
                await ok(admin.DELETE('/api/admin/webhooks/{id}', { params: { path: { id: endpoint.id } } }));
                closeModal();
                toast('ok', `${endpoint.name} deleted`);
                after();
              } catch (error) {
                toast('error', describeFailure(error));
              }
            }}
          >Delete</button>`,
      ),
    );
  }
}
