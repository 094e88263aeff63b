import { html, nothing, type TemplateResult } from 'lit-html';

/** Small building blocks shared by the pages. All text goes through lit-html bindings, which escape it. */

export type PillKind = 'ok' | 'bad' | 'warn' | 'muted' | 'info';

export function pill(kind: PillKind, text: string, title?: string): TemplateResult {
  return html`<span class="pill pill-${kind}" title=${title ?? nothing}>${text}</span>`;
}

export function statusCodePill(code: number | null | undefined): TemplateResult {
  if (code === null || code === undefined) return pill('muted', 'no response');
  return pill(code >= 200 && code < 300 ? 'ok' : code >= 500 ? 'bad' : 'warn', String(code));
}

export function deliveryStatusPill(status: 'success' | 'failed' | 'retrying' | 'failure'): TemplateResult {
  if (status === 'success') return pill('ok', 'Delivered');
  if (status === 'retrying') return pill('warn', 'Retrying');
  return pill('bad', 'Failed');
}

/** A dialog over the page; `close` runs on the × button and on a click beside the dialog. */
export function modal(close: () => void, title: string, body: TemplateResult, footer?: TemplateResult): TemplateResult {
  return html`<div class="modal-backdrop" @click=${(e: Event) => e.target === e.currentTarget && close()}>
    <div class="modal" role="dialog" aria-modal="true" aria-label=${title}>
      <header class="modal-head"><h2>${title}</h2><button class="icon-button" aria-label="Close" @click=${close}>×</button></header>
      <div class="modal-body">${body}</div>
      ${footer ? html`<footer class="modal-foot">${footer}</footer>` : nothing}
    </div>
  </div>`;
}

export function copyButton(text: string, label = 'Copy'): TemplateResult {
  return html`<button
    class="button small"
    @click=${async (e: Event) => {
      const button = e.currentTarget as HTMLButtonElement;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = 'Copied';
      } catch {
        // Clipboard access needs a secure context or permission; the text stays selectable.
        button.textContent = 'Select and copy';
      }
      setTimeout(() => (button.textContent = label), 1500);
    }}
  >${label}</button>`;
}

export function emptyState(title: string, text: string, action?: TemplateResult): TemplateResult {
  return html`<div class="empty"><h3>${title}</h3><p>${text}</p>${action ?? nothing}</div>`;
}

export function spinner(): TemplateResult {
  return html`<span class="spinner" aria-label="Loading"></span>`;
}

export function errorBox(text: string | null): TemplateResult | typeof nothing {
  return text ? html`<div class="error-box" role="alert">${text}</div>` : nothing;
}

/** Values of a form's named fields as strings (checkboxes of one name as a list). */
export function formValues(form: HTMLFormElement): { get(name: string): string; all(name: string): string[] } {
  const data = new FormData(form);
  return { get: (name) => String(data.get(name) ?? '').trim(), all: (name) => data.getAll(name).map(String) };
}
