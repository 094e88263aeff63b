import type { Me } from '@hookline/api-client';
import type { TemplateResult } from 'lit-html';

/** A page of the app: renders from its own fields and calls `update()` after changing them. */
export interface View {
  tab: 'webhooks' | 'incoming' | 'alerts';
  render(): TemplateResult;
  /** Starts loading (and polling); called once when the page is shown. */
  start?(): void;
  /** Stops timers when the page is left. */
  stop?(): void;
}

export interface Toast {
  kind: 'ok' | 'error';
  text: string;
}

/** What every page shares: the caller, the open modal, a transient notice. */
export const state = {
  me: null as Me | null,
  modal: null as (() => TemplateResult) | null,
  toast: null as Toast | null,
};

let draw: () => void = () => {};
let route: (path: string) => void = () => {};

export function configureRuntime(handlers: { draw: () => void; route: (path: string) => void }) {
  draw = handlers.draw;
  route = handlers.route;
}

/** Re-renders the page (lit-html only touches what changed). */
export function update() {
  draw();
}

export function navigate(path: string) {
  if (path !== location.pathname) history.pushState(null, '', path);
  route(path);
}

export function canConfigure(): boolean {
  return state.me?.role === 'owner' || state.me?.role === 'admin';
}

export function openModal(content: () => TemplateResult) {
  state.modal = content;
  update();
}

export function closeModal() {
  state.modal = null;
  update();
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
export function toast(kind: Toast['kind'], text: string) {
  state.toast = { kind, text };
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    state.toast = null;
    update();
  }, 5000);
  update();
}

/** Runs `task` every `ms` while the page is shown; returns the stopper. Skips a round while one is running. */
export function poll(task: () => Promise<void>, ms: number): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || document.hidden) return;
    busy = true;
    task().finally(() => (busy = false));
  }, ms);
  return () => clearInterval(timer);
}

/** A page that loads on start and reloads every `pollMs` while shown (the log and stats follow on their own). */
export abstract class PollingView implements View {
  abstract readonly tab: View['tab'];
  protected abstract readonly pollMs: number;
  private stopPolling = () => {};

  abstract render(): TemplateResult;
  abstract load(): Promise<void>;

  start() {
    void this.load();
    this.stopPolling = poll(() => this.load(), this.pollMs);
  }

  stop() {
    this.stopPolling();
  }

  /** `load` as a callback for actions that change what the page shows. */
  protected readonly reload = () => void this.load();
}
