import type { EventType, FieldProblem, Webhook } from '@hookline/api-client';
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, describeFailure, ok } from '../api.js';
import type { App } from '../runtime.js';
import { copyButton, errorBox, formValues, modal } from '../ui.js';
import { deliveryOptions, optionsState, readDeliveryOptions, shownAtOption, withoutProblemsOf } from './delivery-options.js';

/** A signing secret as the API answers it at creation or rotation, with the public keys that go with it. */
interface IssuedSecret {
  name: string;
  secret: string;
  publicKeys: string[];
  signatureKind: string | undefined;
  /** Set after a rotation: until when the previous secret keeps signing (null: not at all). */
  overlapUntil?: string | null;
}

/**
 * Add Webhook and Edit: name, URL and the events to listen for, picked from the catalog or typed as patterns
 * (`project.*`), and the delivery options (`delivery-options.ts`). On creation and rotation the secret is shown
 * once, with the Ed25519 public key receivers of the `ed25519` scheme verify with.
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
    let problems: FieldProblem[] = [];
    let saving = false;
    const known = new Set(events.map((e) => e.name));
    const picked = new Set(existing?.events ?? []);
    const extra = existing?.events.filter((e) => !known.has(e)).join(', ') ?? '';
    const state = optionsState(existing);

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
      const read = readDeliveryOptions(values, existing, state);
      problems = read.problems;
      error = patterns.length === 0 ? 'Pick at least one event (or type a pattern such as project.*).' : null;
      if (error || problems.length) {
        const elsewhere = problems.filter((p) => !shownAtOption(p)).map((p) => `${p.path}: ${p.message}`);
        error ??= `Some options need fixing${elsewhere.length ? `: ${elsewhere.join('; ')}` : ' (marked below)'}.`;
        return update();
      }
      const body = {
        name: values.get('name'),
        url: values.get('url'),
        events: [...new Set(patterns)],
        ...(values.get('description') ? { description: values.get('description') } : {}),
        ...read.options,
      };
      saving = true;
      update();
      try {
        if (existing) {
          const saved = await ok(admin.PATCH('/api/admin/webhooks/{id}', { params: { path: { id: existing.id } }, body }));
          closeModal();
          onSaved(saved);
        } else {
          const saved = await ok(admin.POST('/api/admin/webhooks', { body }));
          onSaved(saved);
          this.showSecret({
            name: saved.name,
            secret: saved.secret,
            publicKeys: saved.publicKeys ?? [],
            signatureKind: saved.signature?.kind,
          });
        }
      } catch (failure) {
        // Validation problems of an option (a filter's path and reason) show at that option; the rest at the top.
        problems = failure instanceof ApiError ? failure.fieldProblems : [];
        const elsewhere = problems.filter((p) => !shownAtOption(p));
        error =
          failure instanceof ApiError && problems.length && !elsewhere.length
            ? `${failure.message}: see the marked options.`
            : describeFailure(failure);
      } finally {
        saving = false;
        update();
      }
    };

    /** A field's marked problems go once the admin changes it. */
    const edited = (e: Event) => {
      const name = (e.target as HTMLInputElement).name;
      const remaining = name ? withoutProblemsOf(problems, name) : problems;
      if (remaining.length === problems.length) return;
      problems = remaining;
      update();
    };

    openModal(() =>
      modal(
        closeModal,
        existing ? `Edit ${existing.name}` : 'Add Webhook',
        html`<form id="webhook-form" class="form" @submit=${submit} @input=${edited}>
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
          ${deliveryOptions(existing, state, problems, update)}
          ${existing ? this.signingKeys(existing) : nothing}
        </form>`,
        html`<button class="button" @click=${closeModal}>Cancel</button>
          <button class="button primary" type="submit" form="webhook-form" ?disabled=${saving}>${saving ? 'Saving…' : existing ? 'Save changes' : 'Create webhook'}</button>`,
      ),
    );
  }

  /** Edit's signing section: the public keys receivers of `ed25519` verify with, and rotation of the secret. */
  private signingKeys(endpoint: Webhook): TemplateResult {
    const { admin } = this.app;
    const rotate = async () => {
      try {
        const rotated = await ok(admin.POST('/api/admin/webhooks/{id}/secret/rotate', { params: { path: { id: endpoint.id } }, body: {} }));
        this.showSecret({
          name: endpoint.name,
          secret: rotated.secret,
          publicKeys: [rotated.publicKey],
          signatureKind: endpoint.signature?.kind,
          overlapUntil: rotated.previousSecretsExpireAt,
        });
      } catch (failure) {
        this.app.toast('error', describeFailure(failure));
      }
    };
    return html`<fieldset>
      <legend>Signing keys</legend>
      ${
        endpoint.publicKeys?.length
          ? html`<p class="hint">Ed25519 public keys (receivers of the <code>ed25519</code> scheme verify with them):</p>
            ${endpoint.publicKeys.map((key) => html`<div class="secret"><code data-testid="public-key">${key}</code>${copyButton(key)}</div>`)}`
          : nothing
      }
      <p class="hint">Rotating makes a new secret; the current one keeps signing alongside it for 24 hours.</p>
      <div><button type="button" class="button" data-testid="rotate-secret" @click=${rotate}>Rotate secret</button></div>
    </fieldset>`;
  }

  private showSecret(issued: IssuedSecret) {
    const ed25519 = issued.signatureKind === 'ed25519';
    this.app.openModal(() =>
      modal(
        this.app.closeModal,
        issued.overlapUntil === undefined ? 'Webhook created' : 'Secret rotated',
        html`<p>Deliveries to <strong>${issued.name}</strong> are signed with this secret. Store it now: it is shown only once.</p>
          <div class="secret"><code data-testid="secret">${issued.secret}</code>${copyButton(issued.secret)}</div>
          ${
            ed25519
              ? html`<p>Receivers verify the <code>v1a</code> signatures of <code>webhook-signature</code> with the public key (it cannot sign; share it freely):</p>
                ${issued.publicKeys.map((key) => html`<div class="secret"><code data-testid="public-key">${key}</code>${copyButton(key)}</div>`)}`
              : html`<p class="hint">Receivers verify the signature header of the endpoint's scheme with it (README, "Delivery behaviour per endpoint").</p>`
          }
          ${issued.overlapUntil ? html`<p class="hint">The previous secret keeps signing until ${issued.overlapUntil}.</p>` : nothing}`,
        html`<button class="button primary" @click=${this.app.closeModal}>Done</button>`,
      ),
    );
  }
}
