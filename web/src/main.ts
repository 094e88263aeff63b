import { html, nothing, render } from 'lit-html';
import { createAdminApi, describeFailure, storedKey, storeKey, whoIs } from './api.js';
import { App, type Shell, type View } from './runtime.js';
import './styles.css';
import { errorBox, formValues } from './ui.js';
import { WebhookActions } from './views/actions.js';
import { AlertFeed, AlertsView } from './views/alerts.js';
import { DeliveryDetailView } from './views/delivery-detail.js';
import { IncomingView } from './views/incoming.js';
import { SchedulesView } from './views/schedules.js';
import { WebhookDetailView } from './views/webhook-detail.js';
import { WebhooksView } from './views/webhooks.js';

const tabs: readonly (readonly [View['tab'], string, string])[] = [
  ['webhooks', 'Outgoing', '/admin/webhooks'],
  ['incoming', 'Incoming', '/admin/incoming'],
  ['alerts', 'Alerts', '/admin/alerts'],
  ['schedules', 'Schedules', '/admin/schedules'],
];

/**
 * The page itself: sign-in, the top bar, the shown view and the path it came from. Created once below; owns the
 * app state the views share.
 */
class AdminPage implements Shell {
  private readonly app: App;
  private readonly alerts: AlertFeed;
  private readonly actions: WebhookActions;
  private view: View | null = null;
  private loginError: string | null = null;

  constructor(private readonly root: HTMLElement) {
    // A 401 to the stored key means it is gone or revoked: back to the sign-in form.
    this.app = new App(
      createAdminApi(() => this.logOut()),
      this,
    );
    this.alerts = new AlertFeed(this.app);
    this.actions = new WebhookActions(this.app);
  }

  /** Path → page. Every path under /admin/ is served index.html by config-api, so links are plain paths. */
  private viewFor(path: string): View | null {
    const parts = path
      .replace(/^\/admin\/?/, '')
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const { app, actions } = this;
    if (parts[0] === 'webhooks' && parts.length === 1) return new WebhooksView(app, actions);
    if (parts[0] === 'webhooks' && parts.length === 2) return new WebhookDetailView(app, actions, parts[1]!);
    if (parts[0] === 'webhooks' && parts[2] === 'deliveries' && parts.length === 4)
      return new DeliveryDetailView(app, parts[1]!, parts[3]!);
    if (parts[0] === 'incoming') return new IncomingView(app);
    if (parts[0] === 'alerts') return new AlertsView(app);
    if (parts[0] === 'schedules') return new SchedulesView(app);
    return null;
  }

  draw() {
    render(this.layout(), this.root);
  }

  route(path: string) {
    this.view?.stop?.();
    this.app.modal = null;
    if (!this.app.me) {
      this.view = null;
      return this.app.update();
    }
    this.view = this.viewFor(path);
    if (!this.view) return this.app.navigate('/admin/webhooks');
    this.view.start?.();
    window.scrollTo(0, 0);
    this.app.update();
  }

  /** Signs in with the key stored in this tab, if any, and shows the page's path. */
  async start() {
    // Same-origin links under /admin/ change the page without reloading it.
    document.addEventListener('click', (e) => {
      const link = (e.target as Element).closest('a');
      if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || link.target) return;
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !url.pathname.startsWith('/admin/')) return;
      e.preventDefault();
      this.app.navigate(url.pathname);
    });
    window.addEventListener('popstate', () => this.route(location.pathname));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.app.modal) this.app.closeModal();
    });

    const saved = storedKey();
    if (saved && !(await this.logIn(saved))) storeKey(null);
    this.route(location.pathname);
  }

  private async logIn(key: string): Promise<boolean> {
    try {
      this.app.me = await whoIs(key);
      storeKey(key);
      this.loginError = null;
      this.alerts.start();
      return true;
    } catch (error) {
      this.loginError = describeFailure(error);
      return false;
    }
  }

  private readonly logOut = () => {
    storeKey(null);
    this.app.me = null;
    this.alerts.stop();
    this.route(location.pathname);
  };

  private loginPage() {
    const submit = async (e: SubmitEvent) => {
      e.preventDefault();
      const key = formValues(e.currentTarget as HTMLFormElement).get('key');
      if (await this.logIn(key)) this.route(location.pathname);
      else this.app.update();
    };
    return html`<main class="login">
      <form class="card form" data-testid="login" @submit=${submit}>
        <div class="brand big">Hookline</div>
        <h1>Sign in to Webhooks</h1>
        <p class="lede">Use an API key of your organization. It stays in this browser tab only.</p>
        ${errorBox(this.loginError)}
        <label>API key<input name="key" type="password" autocomplete="off" required placeholder="hk_…" /></label>
        <button class="button primary wide">Sign in</button>
      </form>
    </main>`;
  }

  private layout() {
    const { me, modal, notice } = this.app;
    const view = this.view;
    if (!me || !view) return this.loginPage();
    const firing = this.alerts.firing.length;
    return html`
      <header class="topbar">
        <div class="brand">Hookline</div>
        <span class="org">${me.tenantName ?? me.tenantId}</span>
        <nav class="tabs">${tabs.map(
          ([tab, label, href]) =>
            html`<a href=${href} class=${view.tab === tab ? 'on' : ''}>${label}${tab === 'alerts' && firing ? html`<span class="count">${firing}</span>` : nothing}</a>`,
        )}</nav>
        <div class="who"><span title="API key ${me.name}">${me.name}</span><span class="role role-${me.role}" data-testid="role">${me.role}</span>
          <button class="button small" @click=${this.logOut}>Sign out</button></div>
      </header>
      ${this.alerts.banner()}
      <main class="content">${view.render()}</main>
      ${modal ? modal() : nothing}
      ${notice ? html`<div class="toast toast-${notice.kind}" role="status">${notice.text}</div>` : nothing}`;
  }
}

await new AdminPage(document.getElementById('app')!).start();
