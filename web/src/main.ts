import { html, nothing, render } from 'lit-html';
import { describeFailure, session, unauthorizedEvent, whoIs } from './api.js';
import { configureRuntime, navigate, state, update, type View } from './runtime.js';
import './styles.css';
import { errorBox, formValues } from './ui.js';
import { AlertsView, alertBanner, alertFeed } from './views/alerts.js';
import { DeliveryDetailView } from './views/delivery-detail.js';
import { IncomingView } from './views/incoming.js';
import { WebhookDetailView } from './views/webhook-detail.js';
import { WebhooksView } from './views/webhooks.js';

const root = document.getElementById('app')!;
let view: View | null = null;
let loginError: string | null = null;
let stopAlerts = () => {};

/** Path → page. Every path under /admin/ is served index.html by config-api, so links are plain paths. */
function viewFor(path: string): View | null {
  const parts = path
    .replace(/^\/admin\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  if (parts[0] === 'webhooks' && parts.length === 1) return new WebhooksView();
  if (parts[0] === 'webhooks' && parts.length === 2) return new WebhookDetailView(parts[1]!);
  if (parts[0] === 'webhooks' && parts[2] === 'deliveries' && parts.length === 4) return new DeliveryDetailView(parts[1]!, parts[3]!);
  if (parts[0] === 'incoming') return new IncomingView();
  if (parts[0] === 'alerts') return new AlertsView();
  return null;
}

function route(path: string) {
  view?.stop?.();
  state.modal = null;
  if (!state.me) {
    view = null;
    return update();
  }
  view = viewFor(path);
  if (!view) return navigate('/admin/webhooks');
  view.start?.();
  window.scrollTo(0, 0);
  update();
}

async function logIn(key: string): Promise<boolean> {
  try {
    state.me = await whoIs(key);
    session.key = key;
    loginError = null;
    void alertFeed.refresh();
    const timer = setInterval(() => void alertFeed.refresh(), 10_000);
    stopAlerts = () => clearInterval(timer);
    return true;
  } catch (error) {
    loginError = describeFailure(error);
    return false;
  }
}

function logOut() {
  session.key = null;
  state.me = null;
  stopAlerts();
  alertFeed.firing = [];
  route(location.pathname);
}

function loginPage() {
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const key = formValues(e.currentTarget as HTMLFormElement).get('key');
    if (await logIn(key)) route(location.pathname);
    else update();
  };
  return html`<main class="login">
    <form class="card form" data-testid="login" @submit=${submit}>
      <div class="brand big">Hookline</div>
      <h1>Sign in to Webhooks</h1>
      <p class="lede">Use an API key of your organization. It stays in this browser tab only.</p>
      ${errorBox(loginError)}
      <label>API key<input name="key" type="password" autocomplete="off" required placeholder="hk_…" /></label>
      <button class="button primary wide">Sign in</button>
    </form>
  </main>`;
}

const tabs: [View['tab'], string, string][] = [
  ['webhooks', 'Outgoing', '/admin/webhooks'],
  ['incoming', 'Incoming', '/admin/incoming'],
  ['alerts', 'Alerts', '/admin/alerts'],
];

function shell() {
  const me = state.me;
  if (!me || !view) return loginPage();
  return html`
    <header class="topbar">
      <div class="brand">Hookline</div>
      <span class="org">${me.tenantName ?? me.tenantId}</span>
      <nav class="tabs">${tabs.map(
        ([tab, label, href]) =>
          html`<a href=${href} class=${view!.tab === tab ? 'on' : ''}>${label}${tab === 'alerts' && alertFeed.firing.length ? html`<span class="count">${alertFeed.firing.length}</span>` : nothing}</a>`,
      )}</nav>
      <div class="who"><span title="API key ${me.name}">${me.name}</span><span class="role role-${me.role}" data-testid="role">${me.role}</span>
        <button class="button small" @click=${logOut}>Sign out</button></div>
    </header>
    ${alertBanner()}
    <main class="content">${view.render()}</main>
    ${state.modal ? state.modal() : nothing}
    ${state.toast ? html`<div class="toast toast-${state.toast.kind}" role="status">${state.toast.text}</div>` : nothing}`;
}

configureRuntime({ draw: () => render(shell(), root), route });
window.addEventListener(unauthorizedEvent, logOut);

// Same-origin links under /admin/ change the page without reloading it.
document.addEventListener('click', (e) => {
  const link = (e.target as Element).closest('a');
  if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || link.target) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/admin/')) return;
  e.preventDefault();
  navigate(url.pathname);
});
window.addEventListener('popstate', () => route(location.pathname));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.modal) {
    state.modal = null;
    update();
  }
});

const saved = session.key;
if (saved && !(await logIn(saved))) session.key = null;
route(location.pathname);
