import type { TestResult, Webhook } from '@hookline/api-client';
import { html, nothing, type TemplateResult } from 'lit-html';
import { admin, describeFailure, ok } from '../api.js';
import { ms } from '../format.js';
import { closeModal, openModal, toast, update } from '../runtime.js';
import { modal, pill } from '../ui.js';

/** Send Test's outcome per endpoint, shown inline where the button is. */
const testResults = new Map<string, { running: boolean; result?: TestResult; error?: string }>();

export async function sendTest(endpoint: Webhook, after?: () => void) {
  testResults.set(endpoint.id, { running: true });
  update();
  try {
    const result = await ok(admin.POST('/api/admin/webhooks/{id}/test', { params: { path: { id: endpoint.id } }, body: {} }));
    testResults.set(endpoint.id, { running: false, result });
  } catch (error) {
    testResults.set(endpoint.id, { running: false, error: describeFailure(error) });
  }
  update();
  after?.();
}

export function testOutcome(endpointId: string): TemplateResult | typeof nothing {
  const entry = testResults.get(endpointId);
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
export async function setActive(endpoint: Webhook, isActive: boolean, after: () => void) {
  try {
    await ok(admin.PATCH('/api/admin/webhooks/{id}', { params: { path: { id: endpoint.id } }, body: { isActive } }));
    toast('ok', `${endpoint.name} ${isActive ? 're-enabled' : 'disabled'}`);
    after();
  } catch (error) {
    toast('error', describeFailure(error));
  }
}

export function confirmDelete(endpoint: Webhook, after: () => void) {
  openModal(() =>
    modal(
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
