import type { AdminClient, Me } from '@hookline/api-client';
import type { TemplateResult } from 'lit-html';

/** A page of the app: renders from its own fields and calls `app.update()` after changing them. */
export interface View {
  tab: 'webhooks' | 'incoming' | 'alerts' | 'schedules';
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

/** How the shell that owns the app draws the page and shows a path. */
export interface Shell {
  draw(): void;
  route(path: string): void;
}

/**
 * What every page shares: the caller, the open modal, a transient notice and the admin API. Created once at
 * start-up (main.ts) and handed to every view.
 */
export class App {
  me: Me | null = null;
  modal: (() => TemplateResult) | null = null;
  notice: Toast | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly admin: AdminClient,
    private readonly shell: Shell,
  ) {}

  /** Re-renders the page (lit-html only touches what changed). */
  readonly update = (): void => {
    this.shell.draw();
  };

  readonly navigate = (path: string): void => {
    if (path !== location.pathname) history.pushState(null, '', path);
    this.shell.route(path);
  };

  canConfigure(): boolean {
    return this.me?.role === 'owner' || this.me?.role === 'admin';
  }

  readonly openModal = (content: () => TemplateResult): void => {
    this.modal = content;
    this.update();
  };

  readonly closeModal = (): void => {
    this.modal = null;
    this.update();
  };

  /** Shows a notice for five seconds (a newer one replaces it and restarts the time). */
  readonly toast = (kind: Toast['kind'], text: string): void => {
    this.notice = { kind, text };
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = null;
      this.update();
    }, 5000);
    this.update();
  };
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

  constructor(protected readonly app: App) {}

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
