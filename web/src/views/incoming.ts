import type { EventType, IncomingCall, IncomingWebhook } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { describeFailure, ok } from '../api.js';
import { dateTime, timeAgo } from '../format.js';
import { PollingView } from '../runtime.js';
import { copyButton, emptyState, errorBox, formValues, modal, pill, spinner, statusCodePill } from '../ui.js';

/** The Incoming tab: secret URLs whose POSTs become events, and what third parties recently sent to them. */
export class IncomingView extends PollingView {
  readonly tab = 'incoming' as const;
  private hooks: IncomingWebhook[] | null = null;
  private calls = new Map<string, IncomingCall[]>();
  private open: string | null = null;
  private error: string | null = null;
  protected readonly pollMs = 4000;

  async load() {
    try {
      this.hooks = (await ok(this.app.admin.GET('/api/admin/incoming-webhooks'))).data.sort((a, b) => a.name.localeCompare(b.name));
      if (this.open)
        this.calls.set(
          this.open,
          (
            await ok(
              this.app.admin.GET('/api/admin/incoming-webhooks/{id}/calls', { params: { path: { id: this.open }, query: { limit: 50 } } }),
            )
          ).data,
        );
      this.error = null;
    } catch (error) {
      this.error = describeFailure(error);
    }
    this.app.update();
  }

  private toggle(hook: IncomingWebhook) {
    this.open = this.open === hook.id ? null : hook.id;
    this.app.update();
    void this.load();
  }

  /** The full URL when config-api knows ingest's public origin, the path on ingest otherwise. */
  private urlOf(path: string) {
    return this.app.me?.ingestUrl ? new URL(path, this.app.me.ingestUrl).toString() : path;
  }

  private async create() {
    const types = (await ok(this.app.admin.GET('/api/admin/event-types')).catch(() => ({ data: [] as EventType[] }))).data;
    let error: string | null = null;
    const submit = async (e: SubmitEvent) => {
      e.preventDefault();
      const values = formValues(e.currentTarget as HTMLFormElement);
      try {
        const created = await ok(
          this.app.admin.POST('/api/admin/incoming-webhooks', { body: { name: values.get('name'), eventType: values.get('eventType') } }),
        );
        void this.load();
        const url = this.urlOf(created.url);
        this.app.openModal(() =>
          modal(
            this.app.closeModal,
            'Incoming webhook created',
            html`<p>Configure this URL in the external service. Anything it POSTs (JSON or a form) becomes a <code>${created.eventType}</code> event.
                It is shown only once: the token in it is the only credential.</p>
              <div class="secret"><code data-testid="incoming-url">${url}</code>${copyButton(url, 'Copy URL')}</div>
              ${this.app.me?.ingestUrl ? nothing : html`<p class="hint">This is the path on your ingest service's public address.</p>`}`,
            html`<button class="button primary" @click=${this.app.closeModal}>Done</button>`,
          ),
        );
      } catch (failure) {
        error = describeFailure(failure);
        this.app.update();
      }
    };
    this.app.openModal(() =>
      modal(
        this.app.closeModal,
        'Add incoming webhook',
        html`<form id="incoming-form" class="form" @submit=${submit}>
          ${errorBox(error)}
          <label>Name<input name="name" required maxlength="200" placeholder="GitHub issues" /></label>
          <label>Event type <span class="hint">each call becomes an event of this type</span>
            <input name="eventType" required list="event-types" placeholder="issue.opened" pattern="[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*" /></label>
          <datalist id="event-types">${types.map((t) => html`<option value=${t.name}></option>`)}</datalist>
        </form>`,
        html`<button class="button" @click=${this.app.closeModal}>Cancel</button><button class="button primary" type="submit" form="incoming-form">Create</button>`,
      ),
    );
  }

  private async remove(hook: IncomingWebhook) {
    if (!window.confirm(`Delete the incoming webhook "${hook.name}"? Its URL stops working at once.`)) return;
    try {
      await ok(this.app.admin.DELETE('/api/admin/incoming-webhooks/{id}', { params: { path: { id: hook.id } } }));
      this.app.toast('ok', `${hook.name} deleted`);
      void this.load();
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    }
  }

  render() {
    const configure = this.app.canConfigure();
    return html`
      <div class="page-head">
        <div>
          <h1>Incoming webhooks</h1>
          <p class="lede">Unique URLs that turn what external services send into events for your endpoints.</p>
        </div>
        ${configure ? html`<button class="button primary" data-testid="add-incoming" @click=${() => this.create()}>Add Webhook</button>` : nothing}
      </div>
      ${errorBox(this.error)}
      ${
        this.hooks === null
          ? html`<div class="card center">${spinner()}</div>`
          : this.hooks.length === 0
            ? html`<div class="card">${emptyState('No incoming webhooks', 'Create one to receive data from an external service.')}</div>`
            : html`<div class="card table-card"><table class="table" data-testid="incoming-table">
              <thead><tr><th>Name</th><th>Event type</th><th>Created</th><th class="actions-col"></th></tr></thead>
              <tbody>${this.hooks.map((h) => this.row(h, configure))}</tbody></table></div>`
      }
    `;
  }

  private row(hook: IncomingWebhook, configure: boolean) {
    const open = this.open === hook.id;
    const calls = this.calls.get(hook.id);
    return html`<tr data-testid="incoming-row">
        <td><button class="link strong" @click=${() => this.toggle(hook)}>${open ? '▾' : '▸'} ${hook.name}</button></td>
        <td><code class="tag">${hook.eventType}</code></td>
        <td title=${dateTime(hook.createdAt)}>${timeAgo(hook.createdAt)}</td>
        <td class="actions">
          <button class="button small" data-testid="show-calls" @click=${() => this.toggle(hook)}>${open ? 'Hide calls' : 'Recent calls'}</button>
          ${configure ? html`<button class="button small danger-text" @click=${() => this.remove(hook)}>Delete</button>` : nothing}
        </td>
      </tr>
      ${
        open
          ? html`<tr class="subrow"><td colspan="4">
            ${
              calls === undefined
                ? spinner()
                : calls.length === 0
                  ? html`<p class="muted">No calls yet. POST JSON or a form to the hook's URL.</p>`
                  : html`<table class="table inner" data-testid="calls-table">
                    <thead><tr><th>Time</th><th>Answer</th><th>Event</th><th>Body</th></tr></thead>
                    <tbody>${calls.map(
                      (c) => html`<tr>
                        <td title=${dateTime(c.at)}>${timeAgo(c.at)}</td>
                        <td>${statusCodePill(c.status)}${c.error ? html`<div class="reason bad">${c.error}</div>` : nothing}</td>
                        <td>${c.eventId ? html`<code>${c.eventId}</code>` : pill('muted', 'none')}</td>
                        <td><code class="excerpt" title=${c.bodyExcerpt}>${c.bodyExcerpt || '(empty)'}</code></td>
                      </tr>`,
                    )}</tbody></table>`
            }
          </td></tr>`
          : nothing
      }`;
  }
}
