import { type Receiver, requestJson } from '@hookline/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { settleWithSentinel } from './support/settle.js';

const context = useHookline();

/** Operator filters (`$gte`, `$in`, `$regex`, `$or`, `$not`, ...) decide which events reach an endpoint. */
describe('payload filters with operators', () => {
  let receiver: Receiver;
  let apiKey: string;
  let hookline: typeof context.hookline;

  beforeAll(async () => {
    receiver = await context.receiver();
    apiKey = context.tenant.apiKey;
    hookline = context.hookline;
  });

  const webhooks = () => `${hookline.configApiUrl}/api/admin/webhooks`;
  const send = (data: Record<string, unknown>) =>
    requestJson('POST', `${hookline.ingestUrl}/v1/events`, { token: apiKey, body: { type: 'order.paid', data } });

  it('delivers exactly the events the operators select', async () => {
    const filter = {
      amount: { $gte: 100 },
      currency: { $in: ['EUR', 'USD'] },
      'customer.email': { $regex: '@shop\\.test$', $options: 'i' },
      $or: [{ tags: 'vip' }, { 'items.sku': { $in: ['GOLD-1'] } }],
      $not: { status: { $eq: 'test' } },
    };
    const created = await requestJson('POST', webhooks(), {
      token: apiKey,
      body: { name: 'big orders', url: receiver.url, events: ['order.*'], filter },
    });
    expect(created.status).toBe(201);
    expect(created.body.filter).toEqual(filter);

    const passes = { amount: 250, currency: 'EUR', customer: { email: 'ada@SHOP.test' }, tags: ['vip'], status: 'live' };
    const cases: [number, Record<string, unknown>][] = [
      [1, passes],
      [2, { ...passes, amount: 99 }],
      [3, { ...passes, amount: '250' }],
      [4, { ...passes, currency: 'GBP' }],
      [5, { ...passes, customer: { email: 'ada@other.test' } }],
      [6, { ...passes, tags: ['new'] }],
      [7, { ...passes, tags: [], items: [{ sku: 'A-1' }, { sku: 'GOLD-1' }] }],
      [8, { ...passes, status: 'test' }],
      [9, { ...passes, customer: undefined }],
    ];
    for (const [n, data] of cases) expect((await send({ n, ...data })).status).toBe(202);
    const { others } = await settleWithSentinel(receiver, (extra) => send({ ...passes, n: 10, ...extra }).then(() => undefined));
    expect(others.map((r) => JSON.parse(r.body).data.n).sort()).toEqual([1, 7]);
  });

  it('refuses malformed filters at the API with the path and the reason', async () => {
    const refused = async (filter: unknown) => {
      const response = await requestJson('POST', webhooks(), {
        token: apiKey,
        body: { name: 'bad', url: receiver.url, events: ['order.*'], filter },
      });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('validation_failed');
      return JSON.stringify(response.body.error.details);
    };
    expect(await refused({ amount: { $between: [1, 2] } })).toContain('amount');
    expect(await refused({ $nor: [{ a: 1 }] })).toContain('unknown operator $nor');
    expect(await refused({ email: { $regex: '(a)\\1' } })).toContain('RE2');
    expect(await refused({ email: { $regex: '(?=lookahead)' } })).toContain('RE2');
    const patched = await requestJson('POST', webhooks(), {
      token: apiKey,
      body: { name: 'ok', url: receiver.url, events: ['order.*'], filter: { a: 1 } },
    });
    const bad = await requestJson('PATCH', `${webhooks()}/${patched.body.id}`, { token: apiKey, body: { filter: { a: { $gt: {} } } } });
    expect(bad.status).toBe(422);
  });
});
