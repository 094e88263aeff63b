import { eventually } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

const context = useHookline();

/** The delivery detail shows the exact request that went out, once per delivery, with nothing that signs or authenticates. */
describe('the exact request on record', () => {
  it('keeps the body and headers sent with the first attempt, signature shortened and custom header values masked', async () => {
    const r = await context.receiver();
    let calls = 0;
    r.respond(() => ({ status: calls++ === 0 ? 503 : 200 }));
    const endpoint = await context.tenant.createEndpoint({
      url: r.url,
      events: ['record.*'],
      retrySchedule: ['0s'],
      headers: { 'X-Api-Token': 'receiver-credential-123' },
    });
    await context.tenant.postEvent('record.made', { n: 1 });
    const [sent] = await r.waitForRequests(2);
    const deliveryId = String(sent!.headers['webhook-id']);
    const detail = await eventually(async () => {
      const response = await context.tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries/${deliveryId}`);
      return response.status === 200 && response.body.attempts === 2 ? response.body : undefined;
    });
    expect(detail.request.body).toBe(sent!.body);
    expect(detail.request.headers['content-type']).toBe('application/json');
    expect(detail.request.headers['webhook-id']).toBe(deliveryId);
    expect(detail.request.headers['x-api-token'] ?? detail.request.headers['X-Api-Token']).toBe('********');
    const signature = String(sent!.headers['webhook-signature']);
    expect(detail.request.headers['webhook-signature']).toBe(`${signature.slice(0, 12)}…`);
    expect(JSON.stringify(detail)).not.toContain('receiver-credential-123');
    expect(JSON.stringify(detail)).not.toContain(signature);
    // Stored once per delivery: the first attempt carries it, the retry does not.
    expect(detail.attemptsLog.map((a: { attempt: number; request?: unknown }) => [a.attempt, a.request !== undefined])).toEqual([
      [1, true],
      [2, false],
    ]);
  });
});
