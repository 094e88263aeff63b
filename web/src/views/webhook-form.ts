import type { CreatedWebhook, EventType, Webhook } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { describeFailure, ok } from '../api.js';
import type { App } from '../runtime.js';
import { copyButton, errorBox, formValues, modal } from '../ui.js';

/**
 * Add Webhook and Edit: name, URL and the events to listen for, picked from the catalog or typed as patterns
 * (`project.*`). On creation the secret is shown once.
 */
export class WebhookForm {
  /** The tenant's event-type catalog, loaded on first use (an empty catalog leaves free-form patterns). */
  private catalog: EventType[] | null = null;

  constructor(private readonly app: App) {}

  private async eventCatalog(): Promise<EventType[]> {
    this.catalog ??= (await ok(this.app.admin.GET('/api/admin/event-types')).catch(() => ({ data: [] }))).data;
    return this.catalog;
  }

  async open(existing: Webhook | undefined, onSaved: (saved: Webhook) => void) {
    const { admin, closeModal, openModal, update } = this.app;
    const events = await this.eventCatalog();
    let error: string | null = null;
    let saving = false;
    const known = new Set(events.map((e) => e.name));
    const picked = new Set(existing?.events ?? []);
    const extra = existing?.events.filter((e) => !known.has(e)).join(', ') ?? '';

    const submit = async (e: SubmitEvent) => {
      e.preventDefault();
      const values = formValues(e.currentTarget as HTMLFormElement);
      const patterns = [
        ...values.all('event'),
        ...values
          .get('patterns')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ];
      if (patterns.length === 0) {
        error = 'Pick at least one event (or type a pattern such as project.*).';
        return update();
      }
      const body = {
        name: values.get('name'),
        url: values.get('url'),
        events: [...new Set(patterns)],
        ...(values.get('description') ? { description: values.get('description') } : {}),
      };
      saving = true;
      error = null;
      update();
      try {
        if (existing) {
          const saved = await ok(admin.PATCH('/api/admin/webhooks/{id}', { params: { path: { id: existing.id } }, body }));
          closeModal();
          onSaved(saved);
        } else {
          const saved = await ok(admin.POST('/api/admin/webhooks', { body }));
          onSaved(saved);
          this.showSecret(saved);
        }
      } catch (failure) {
        error = describeFailure(failure);
      } finally {
        saving = false;
        update();
      }
    };

    openModal(() =>
      modal(
        closeModal,
        existing ? `Edit ${existing.name}` : 'Add Webhook',
        html`<form id="webhook-form" class="form" @submit=${submit}>
          ${errorBox(error)}
          <label>Name<input name="name" required maxlength="200" placeholder="CRM sync" .value=${existing?.name ?? ''} /></label>
          <label>Endpoint URL<input name="url" type="url" required placeholder="https://example.com/webhooks" .value=${existing?.url ?? ''} /></label>
          <label>Description <span class="hint">optional</span><input name="description" maxlength="2000" .value=${existing?.description ?? ''} /></label>
          <fieldset>
            <legend>Events to send</legend>
            ${
              events.length
                ? html`<div class="event-grid">
                  ${events.map(
                    (t) => html`<label class="check"><input type="checkbox" name="event" value=${t.name} .checked=${picked.has(t.name)} />
                      <span><code>${t.name}</code>${t.description ? html`<small>${t.description}</small>` : nothing}</span></label>`,
                  )}
                </div>`
                : html`<p class="hint">No event types in the catalog yet; type the events or patterns below.</p>`
            }
            <label>Other events or patterns <span class="hint">comma-separated, e.g. project.*</span>
              <input name="patterns" .value=${extra} placeholder="project.*, member.joined" /></label>
          </fieldset>
        </form>`,
        html`<button class="button" @click=${closeModal}>Cancel</button>
          <button class="button primary" type="submit" form="webhook-form" ?disabled=${saving}>${saving ? 'Saving…' : existing ? 'Save changes' : 'Create webhook'}</button>`,
      ),
    );
  }

  private showSecret(created: CreatedWebhook) {
    this.app.openModal(() =>
      modal(
        this.app.closeModal,
        'Webhook created',
        html`<p>Deliveries to <strong>${created.name}</strong> are signed with this secret. Store it now: it is shown only once.</p>
          <div class="secret"><code data-testid="secret">${created.secret}</code>${copyButton(created.secret)}</div>
          <p class="hint">Verify the <code>webhook-signature</code> header with it (Standard Webhooks, HMAC-SHA256).</p>`,
        html`<button class="button primary" @click=${this.app.closeModal}>Done</button>`,
      ),
    );
  }
}
