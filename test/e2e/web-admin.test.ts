import { eventually, requestJson } from '@hookline/testkit';
import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { chromiumPath, haveChromium, useAdminPage } from './support/admin-page.js';
import { useHookline } from './support/harness.js';

/**
 * The admin page in real headless Chromium (Debian's package): log in with a key, create an endpoint, send a
 * test, see the stats change, retry a failed delivery, replay with the progress bar, use the Incoming tab, and
 * check that a viewer sees no configure buttons, set every delivery option through the webhook form (filter,
 * ordering, circuit breaker, Ed25519, ThreadHound). Screenshots of the main views go to test-results/screenshots/.
 */

/** A Standard Webhooks `v1a` signature checked with libsodium alone, as a subscriber would (not our own verify). */
function libsodiumVerifies(publicKey: string, headers: Record<string, unknown>, body: string): boolean {
  const signed = new TextEncoder().encode(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`);
  const key = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      return version === 'v1a' && sodium.crypto_sign_verify_detached(Buffer.from(signature!, 'base64'), signed, key);
    });
}

if (!haveChromium && process.env.CI !== 'true') {
  console.warn(`web-admin: skipped, no Chromium at ${chromiumPath} (run infra/install-chromium.sh, or set HOOKLINE_CHROMIUM)`);
}

describe.skipIf(haveChromium || process.env.CI !== 'true')('web admin page prerequisites', () => {
  it('has Chromium in CI', () => {
    throw new Error(`no Chromium at ${chromiumPath}: ./dev test installs it with infra/install-chromium.sh`);
  });
});

describe.skipIf(!haveChromium)('web admin page (headless Chromium)', () => {
  const context = useHookline({ DELIVERY_TIMEOUT_MS: '2000' });
  const { logIn, shot, pageProblems } = useAdminPage(() => context.hookline.configApiUrl);

  /** The page refreshes every few seconds and the projector trails deliveries a little. */
  const settle = { timeout: 30_000, interval: 250 };

  it('manages an endpoint end to end: create, send test, stats, retry, replay', async () => {
    const receiver = await context.receiver();
    let healthy = true;
    receiver.respond(() => (healthy ? { status: 200, body: '{"ok":true}' } : { status: 500, body: 'upstream exploded' }));
    await context.tenant.admin('POST', '/event-types', { name: 'order.created', description: 'An order was placed' });
    await context.tenant.admin('POST', '/event-types', { name: 'order.shipped', description: 'An order left the warehouse' });

    const page = await logIn(context.tenant.apiKey, '00-sign-in');
    expect(await page.getByTestId('role').textContent()).toBe('owner');

    // Add Webhook: name, URL, events from the catalog; the secret is shown once.
    await page.getByTestId('add-webhook').click();
    await page.getByLabel('Name').fill('Orders <CRM>');
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByRole('checkbox', { name: /order\.created/ }).check();
    await shot(page, '02-add-webhook');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = await page.getByTestId('secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('webhook-row').filter({ hasText: 'Orders <CRM>' });
    await row.waitFor();
    const endpointId = (await row.getAttribute('data-id'))!;

    // Send Test: the outcome shows inline.
    await row.getByTestId('send-test').click();
    await expect.poll(() => row.getByTestId('test-outcome').textContent(), settle).toMatch(/Test delivered · 200/);
    expect(receiver.requests).toHaveLength(1);

    // An event through ingest: the table's stats follow (it refreshes on its own).
    await context.tenant.postEvent('order.created', { id: 'o_1' });
    await expect.poll(() => row.getByTestId('total-deliveries').textContent(), settle).toBe('2');
    expect(await row.getByTestId('success-rate').textContent()).toBe('100%');
    await shot(page, '01-endpoints');

    // A failing receiver and no retries: the delivery is dead-lettered at once.
    expect((await context.tenant.admin('PATCH', `/webhooks/${endpointId}`, { retrySchedule: [] })).status).toBe(200);
    healthy = false;
    await context.tenant.postEvent('order.created', { id: 'o_2' });
    await page.getByRole('link', { name: 'Orders <CRM>' }).click();
    const failed = page.getByTestId('delivery-row').filter({ has: page.getByTestId('retry') });
    await failed.first().waitFor();
    await expect.poll(() => page.getByTestId('detail-total').textContent(), settle).toBe('3');
    await expect.poll(() => page.getByTestId('detail-success-rate').textContent(), settle).toBe('66.7%');
    await shot(page, '03-endpoint-page');

    // One delivery's request and response.
    await failed.first().locator('td').first().click();
    await page.getByTestId('attempt').first().waitFor();
    expect(await page.getByTestId('response-body').first().textContent()).toBe('upstream exploded');
    await shot(page, '04-delivery-detail');
    await page.goBack();

    // Retry from the page once the receiver is fixed.
    healthy = true;
    await page
      .getByTestId('delivery-row')
      .filter({ has: page.getByTestId('retry') })
      .first()
      .getByTestId('retry')
      .click();
    await receiver.waitForRequests(4);
    await expect.poll(() => page.getByTestId('delivery-row').first().getAttribute('data-status'), settle).toBe('success');
    expect(await page.getByTestId('retry').count()).toBe(0);

    // Replay failed deliveries with the progress bar.
    healthy = false;
    for (let i = 0; i < 5; i++) await context.tenant.postEvent('order.created', { id: `o_r${i}` });
    await eventually(
      async () => (await context.tenant.admin('GET', `/webhooks/${endpointId}/dead-letters?state=dead&limit=1`)).body.total === 5,
    );
    healthy = true;
    await page.getByTestId('replay').waitFor();
    await expect.poll(() => page.getByTestId('replay').isEnabled(), settle).toBe(true);
    await page.getByTestId('replay').click();
    await page.getByTestId('replay-progress').waitFor();
    await expect.poll(() => page.getByTestId('replay-status').textContent(), settle).toBe('Replayed 5 of 5');
    await receiver.waitForRequests(4 + 5 + 5);
    await expect.poll(() => page.locator('[data-testid=delivery-row][data-status=failed]').count(), settle).toBe(0);
    await shot(page, '05-endpoint-after-replay');

    // The charts' series agree with the stats: every attempt lands in one bucket. Both are folded by the projector
    // and written separately, so they are compared once the replay's last attempts are in both.
    const seriesAgree = async () => {
      const stats = await context.tenant.stats(endpointId);
      const sums = [];
      for (const window of ['1h', '24h', '7d']) {
        const series = (await context.tenant.admin('GET', `/webhooks/${endpointId}/timeseries?window=${window}`)).body;
        const sum = (key: 'delivered' | 'failed') => series.points.reduce((n: number, p: Record<string, number>) => n + p[key]!, 0);
        sums.push({ delivered: sum('delivered') - stats.succeeded, failed: sum('failed') - stats.failed });
      }
      return sums;
    };
    const agreed = Array.from({ length: 3 }, () => ({ delivered: 0, failed: 0 }));
    await expect.poll(seriesAgree, settle).toEqual(agreed);
    const tenantSeries = (await context.tenant.admin('GET', '/timeseries?window=1h')).body;
    expect(tenantSeries.bucketSeconds).toBe(60);
    expect(tenantSeries.points).toHaveLength(60);
    expect((await context.tenant.admin('GET', '/timeseries?window=2h')).status).toBe(422);

    // Alerts: turn them on in the settings form, fail a few deliveries, and the banner appears on every page.
    await page.getByRole('link', { name: 'Alerts' }).click();
    const settings = page.getByTestId('alert-settings');
    await settings.getByLabel('Alerts enabled').check();
    await settings.getByLabel(/Failed deliveries/).fill('2');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(async () => (await context.tenant.admin('GET', '/alerts/settings')).body, settle)
      .toMatchObject({ enabled: true, failedDeliveries24h: 2 });
    // Three failures in a row also disable the endpoint now (the threadhound seed's rule, stricter).
    expect((await context.tenant.admin('PATCH', `/webhooks/${endpointId}`, { disableAfterConsecutiveFailures: 3 })).status).toBe(200);
    healthy = false;
    for (let i = 0; i < 3; i++) await context.tenant.postEvent('order.created', { id: `o_a${i}` });
    await page.getByTestId('alert-banner').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('alert-banner').textContent()).toContain('Orders <CRM>');
    await page.getByTestId('alerts-table').getByText('Failed deliveries').first().waitFor();
    await shot(page, '08-alerts');

    // The table shows the disabled endpoint with its reason and last error; Re-enable turns it back on.
    await page.getByRole('link', { name: 'Outgoing' }).click();
    await page.getByTestId('re-enable').waitFor();
    const disabledRow = await row.textContent();
    expect(disabledRow).toMatch(/Disabled.*consecutive/i);
    expect(disabledRow).toContain('receiver answered 500');
    await shot(page, '09-disabled-endpoint');
    healthy = true;
    await row.getByTestId('re-enable').click();
    await expect.poll(() => row.textContent(), settle).toContain('Active');
    expect((await context.tenant.admin('GET', `/webhooks/${endpointId}`)).body.isActive).toBe(true);
    await page.close();
    expect(pageProblems).toEqual([]);
  });

  it('sets every delivery option through the webhook form, and shows the reason the API gives for a bad filter', async () => {
    await sodium.ready;
    const receiver = await context.receiver();
    await context.tenant.admin('POST', '/event-types', { name: 'payment.made', description: 'A payment was made' });
    const page = await logIn(context.tenant.apiKey);
    await page.getByTestId('add-webhook').click();
    await page.getByLabel('Name').fill('Big payments');
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel(/Other events or patterns/).fill('payment.*');
    const filterField = page.locator('textarea[name=filter]');

    // Not JSON: said at the field before anything is sent.
    await filterField.fill('{"amount": ');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await expect.poll(() => page.getByTestId('filter-error').textContent(), settle).toMatch(/^filter: not JSON/);

    // JSON the API refuses: its 422 reason shows at the field, with the path, word for word.
    const badFilter = { amount: { $between: [1, 2] }, $nor: [{ a: 1 }] };
    await filterField.fill(JSON.stringify(badFilter));
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await expect.poll(() => page.getByTestId('filter-error').textContent(), settle).toContain('filter.amount');
    const refused = await context.tenant.admin('POST', '/webhooks', {
      name: 'x',
      url: receiver.url,
      events: ['payment.*'],
      filter: badFilter,
    });
    expect(refused.status).toBe(422);
    const shown = (await page.getByTestId('filter-error').textContent())!;
    expect(refused.body.error.details.length).toBeGreaterThanOrEqual(2);
    for (const problem of refused.body.error.details as { path: string; message: string }[]) {
      expect(problem.path).toMatch(/^filter\./);
      expect(shown).toContain(`${problem.path}: ${problem.message}`);
    }
    expect(shown).toContain('unknown operator $nor');
    expect((await context.tenant.admin('GET', '/webhooks')).body.data.some((w: { name: string }) => w.name === 'Big payments')).toBe(false);

    // Fixed, with a circuit breaker and Ed25519 signatures (strict ordering, which a breaker would reorder, is
    // set on Edit below, when the breaker is turned off).
    await filterField.fill('{"amount": {"$gte": 100}, "currency": {"$in": ["EUR", "USD"]}}');
    expect(await page.getByTestId('filter-error').count()).toBe(0);
    await page.locator('select[name=signature]').selectOption('ed25519');
    await page.getByLabel(/Circuit breaker/).check();
    await page.getByLabel('Failure rate (%)').fill('50');
    await page.getByLabel('Cool-down (s)', { exact: true }).fill('5');
    await page.locator('textarea[name=headers]').fill('X-Tenant: acme');
    await shot(page, '10-webhook-options');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const publicKey = (await page.getByTestId('public-key').textContent())!;
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(await page.getByTestId('secret').textContent()).toMatch(/^whsec_/);
    await shot(page, '11-webhook-created-ed25519');
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('webhook-row').filter({ hasText: 'Big payments' });
    await row.waitFor();
    const endpointId = (await row.getAttribute('data-id'))!;

    const stored = (await context.tenant.admin('GET', `/webhooks/${endpointId}`)).body;
    expect(stored).toMatchObject({
      filter: { amount: { $gte: 100 }, currency: { $in: ['EUR', 'USD'] } },
      circuitBreaker: { failureRatePercent: 50, cooldownSeconds: 5 },
      signature: { kind: 'ed25519' },
      publicKeys: [publicKey],
      headers: { 'X-Tenant': '********' },
    });
    expect(Object.keys(stored.circuitBreaker)).toEqual(['failureRatePercent', 'cooldownSeconds']);

    // Deliveries follow the settings: the small payment (posted first) is filtered out; the big one arrives
    // signed v1a, verified with libsodium and the key the form showed.
    await context.tenant.postEvent('payment.made', { orderId: 'o_1', amount: 5, currency: 'EUR' });
    await context.tenant.postEvent('payment.made', { orderId: 'o_1', amount: 500, currency: 'EUR' });
    const [delivered] = await receiver.waitForRequests(1);
    expect(JSON.parse(delivered!.body).data).toEqual({ orderId: 'o_1', amount: 500, currency: 'EUR' });
    expect(libsodiumVerifies(publicKey, delivered!.headers, delivered!.body)).toBe(true);
    expect(delivered!.headers['x-tenant']).toBe('acme');

    // Edit shows what is stored; ThreadHound's fields appear with its profile; turning the breaker off clears it,
    // and strict ordering by key goes on.
    await row.getByTestId('edit').click();
    expect(JSON.parse(await filterField.inputValue())).toEqual(stored.filter);
    expect(await page.getByLabel(/Strict ordering/).isChecked()).toBe(false);
    expect(await page.getByLabel('Failure rate (%)').inputValue()).toBe('50');
    expect(await page.getByTestId('public-key').textContent()).toBe(publicKey);
    expect(await page.getByLabel(/Community id/).count()).toBe(0);
    await page.locator('select[name=profile]').selectOption('threadhound');
    await page.getByLabel(/Community id/).fill('community-7');
    const webhookTypes = { 'payment.made': { webhookType: 'payment-crud', actionType: 'created' } };
    await page.locator('textarea[name=webhookTypes]').fill(JSON.stringify(webhookTypes));
    await page.getByLabel(/Circuit breaker/).uncheck();
    await page.getByLabel(/Strict ordering/).check();
    await page.getByLabel(/Ordering key/).fill('data.orderId');
    await page.getByLabel('Disable after failures').fill('never');
    await shot(page, '12-webhook-edit-threadhound');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const edited = (await context.tenant.admin('GET', `/webhooks/${endpointId}`)).body;
    expect(edited).toMatchObject({
      profile: 'threadhound',
      communityId: 'community-7',
      webhookTypes,
      filter: stored.filter,
      ordering: 'strict',
      orderingKey: 'data.orderId',
    });
    expect(edited.circuitBreaker ?? null).toBeNull();
    expect(edited.disableAfterConsecutiveFailures).toBeNull();
    // The header value went back masked and the stored one was kept.
    expect(edited.headers).toEqual({ 'X-Tenant': '********' });

    // Rotation from the form: the new secret and its public key are shown once, and both keys are published.
    await row.getByTestId('edit').click();
    await page.getByTestId('rotate-secret').click();
    await page.getByRole('heading', { name: 'Secret rotated' }).waitFor();
    const next = (await page.getByTestId('public-key').textContent())!;
    expect(next).toMatch(/^whpk_/);
    expect(next).not.toBe(publicKey);
    await page.getByRole('button', { name: 'Done' }).click();
    expect((await context.tenant.admin('GET', `/webhooks/${endpointId}`)).body.publicKeys).toEqual([next, publicKey]);
    await page.close();
    expect(pageProblems).toEqual([]);
  });

  it('creates an incoming webhook, copies its URL and shows its recent calls', async () => {
    const page = await logIn(context.tenant.apiKey);
    await page.getByRole('link', { name: 'Incoming' }).click();
    await page.getByTestId('add-incoming').click();
    await page.getByLabel('Name').fill('GitHub issues');
    await page.getByLabel(/Event type/).fill('issue.opened');
    await page.getByRole('button', { name: 'Create' }).click();
    const url = (await page.getByTestId('incoming-url').textContent())!;
    expect(url).toMatch(/^\/api\/webhooks\/incoming\/[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Done' }).click();

    const accepted = await requestJson('POST', `${context.hookline.ingestUrl}${url}`, {
      body: { action: 'opened', issue: { title: '<b>Broken</b>' } },
    });
    expect(accepted.status).toBe(202);
    const rejected = await requestJson('POST', `${context.hookline.ingestUrl}${url}`, {
      rawBody: '{"not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(rejected.status).toBe(400);

    await page.getByTestId('incoming-row').filter({ hasText: 'GitHub issues' }).getByTestId('show-calls').click();
    const calls = page.getByTestId('calls-table').locator('tbody tr');
    await expect.poll(() => calls.count(), settle).toBe(2);
    expect(await calls.nth(0).textContent()).toContain('400');
    expect(await calls.nth(1).textContent()).toContain(accepted.body.id);
    // Server text is rendered as text, never as markup.
    expect(await calls.nth(1).textContent()).toContain('<b>Broken</b>');
    await shot(page, '06-incoming');
    await page.close();
  });

  it('shows a viewer no configure buttons, and the API refuses anyway', async () => {
    const created = await context.tenant.admin('POST', '/api-keys', { name: 'Read-only', role: 'viewer' });
    expect(created.status).toBe(201);
    const page = await logIn(created.body.key);
    expect(await page.getByTestId('role').textContent()).toBe('viewer');
    await page.getByTestId('webhook-row').first().waitFor();
    expect(await page.getByTestId('add-webhook').count()).toBe(0);
    expect(await page.getByTestId('send-test').count()).toBe(0);
    expect(await page.getByTestId('delete').count()).toBe(0);
    await shot(page, '07-viewer');
    await page.getByTestId('webhook-row').first().getByRole('link').first().click();
    await page.getByTestId('delivery-log').waitFor();
    expect(await page.getByTestId('retry').count()).toBe(0);
    expect(await page.getByTestId('replay').count()).toBe(0);
    const endpointId = (await context.tenant.admin('GET', '/webhooks')).body.data[0].id;
    const refused = await requestJson('POST', `${context.hookline.configApiUrl}/api/admin/webhooks/${endpointId}/test`, {
      token: created.body.key,
      body: {},
    });
    expect(refused.status).toBe(403);
    await page.close();
    expect(pageProblems).toEqual([]);

    // The page's routes are in the admin API's OpenAPI document, and the page itself is served with its CSP.
    const openapi = (await requestJson('GET', `${context.hookline.configApiUrl}/openapi.json`)).body;
    for (const path of [
      '/api/admin/me',
      '/api/admin/stats/webhooks',
      '/api/admin/timeseries',
      '/api/admin/webhooks/{id}/timeseries',
      '/api/admin/incoming-webhooks/{id}/calls',
    ]) {
      expect(openapi.paths[path]?.get, path).toBeDefined();
    }
    const index = await fetch(`${context.hookline.configApiUrl}/admin/webhooks/anything`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const root = await fetch(`${context.hookline.configApiUrl}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/admin/');
  });
});
