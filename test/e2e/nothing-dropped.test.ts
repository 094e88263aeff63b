import { eventually } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { deadLetterCount, sentinelEvent, settleWithSentinel } from './support/settle.js';

// Small chunks, so the large fan-out below is written in many of them.
const context = useHookline({ FANOUT_CHUNK_BYTES: String(64 * 1024) });

describe('an event for a disabled endpoint', () => {
  it('is parked, not lost: re-enable then replay delivers it', async () => {
    const r = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['parked.*'] });
    expect((await context.tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { isActive: false })).status).toBe(200);
    const eventId = await context.tenant.postEvent('parked.order', { n: 1 });
    await eventually(async () => (await deadLetterCount(context.tenant, endpoint.id)) === 1, 60_000, 200);
    const [letter] = (await context.tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters`)).body.data;
    expect(letter).toMatchObject({ kind: 'parked', eventId, reason: expect.stringMatching(/^endpoint disabled/) });
    expect(r.requests).toHaveLength(0);

    expect((await context.tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { isActive: true })).status).toBe(200);
    const started = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/replay`, {});
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(1);
    const [request] = await r.waitForRequests(1);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'parked.order', data: { n: 1 } });
    // Nothing else: once a sentinel posted after it arrives, the event came once.
    const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'parked.sentinel'));
    expect(others).toHaveLength(1);
  });
});

describe('a large fan-out', () => {
  it('reaches every endpoint when its tasks are written in many chunks', async () => {
    const r = await context.receiver();
    const endpoints = 150;
    for (let i = 0; i < endpoints; i++) await context.tenant.createEndpoint({ url: `${r.url}/ep${i}`, events: ['wide.*'] });
    // ~30 KB of data to 150 endpoints: ~4.5 MB of tasks, ~70 chunks of 64 KiB.
    await context.tenant.postEvent('wide.one', { pad: 'w'.repeat(30_000) });
    await eventually(async () => new Set(r.requests.map((q) => q.path)).size === endpoints, 120_000, 200);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(endpoints);
  });
});
