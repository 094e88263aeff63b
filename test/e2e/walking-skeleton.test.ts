import { eventually, Hookline, Receiver, requestJson } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropNamespace } from './support/namespace-cleanup.js';
import { settleWithSentinel } from './support/settle.js';

/**
 * One event through every stage: config-api → config topic → ingest's and fanout's views; ingest → events and
 * its tasks → deliveries (fanout reads the event and adds nothing) → delivery (signed POST) → attempts → projector
 * → MongoDB → config-api stats.
 */
describe('walking skeleton', () => {
  let hookline: Hookline;
  let receiver: Receiver;
  let apiKey: string;

  beforeAll(async () => {
    [hookline, receiver] = await Promise.all([Hookline.start({ infra: inject('infra') }), Receiver.start()]);
    const tenant = await requestJson('POST', `${hookline.configApiUrl}/api/admin/tenants`, {
      token: hookline.rootToken,
      body: { name: 'Acme' },
    });
    expect(tenant.status).toBe(201);
    apiKey = tenant.body.apiKey.key;
  });

  afterAll(async () => {
    await Promise.all([hookline?.stop(), receiver?.close()]);
    if (hookline) await dropNamespace(inject('infra'), hookline.namespace);
  });

  it('delivers a signed event that the official standardwebhooks package verifies, and reports stats', async () => {
    const created = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
      token: apiKey,
      body: { name: 'receiver', url: `${receiver.url}/hooks`, events: ['project.*'] },
    });
    expect(created.status).toBe(201);
    const { id: endpointId, secret } = created.body;
    expect(secret).toMatch(/^whsec_/);

    // Read-your-writes: the endpoint is visible right after the write.
    const read = await requestJson('GET', `${hookline.configApiUrl}/api/admin/webhooks/${endpointId}`, { token: apiKey });
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();

    const posted = await requestJson('POST', `${hookline.ingestUrl}/v1/events`, {
      token: apiKey,
      body: { type: 'project.created', data: { projectId: 'p_1', name: 'Apollo' } },
    });
    expect(posted.status).toBe(202);

    const [delivery] = await receiver.waitForRequests(1, 60_000);
    expect(delivery!.path).toBe('/hooks');
    const headers = Object.fromEntries(Object.entries(delivery!.headers).map(([k, v]) => [k, String(v)]));
    const payload = new Webhook(secret).verify(delivery!.body, headers) as any;
    expect(payload).toMatchObject({ type: 'project.created', data: { projectId: 'p_1', name: 'Apollo' } });
    expect(headers['webhook-id']).toMatch(/^msg_/);

    const stats = await eventually(async () => {
      const response = await requestJson('GET', `${hookline.configApiUrl}/api/admin/webhooks/${endpointId}/stats`, { token: apiKey });
      return response.body.totalDeliveries === 1 ? response.body : undefined;
    });
    expect(stats).toMatchObject({
      totalDeliveries: 1,
      successRate: 1,
      state: 'active',
      lastDelivery: { status: 'success', statusCode: 200 },
    });
  });

  it('answers bad input with 4xx and a machine-readable code, producing nothing', async () => {
    const url = `${hookline.ingestUrl}/v1/events`;
    const cases = [
      { options: { token: apiKey, rawBody: '{"type": "project.created", "data": ' }, status: 400, code: 'invalid_json' },
      { options: { token: apiKey, body: { data: {} } }, status: 422, code: 'validation_failed' },
      { options: { token: apiKey, body: { type: 'project.created' } }, status: 422, code: 'validation_failed' },
      { options: { token: apiKey, body: { type: 'not a type!', data: {} } }, status: 422, code: 'validation_failed' },
      { options: { token: 'hk_unknown', body: { type: 'project.created', data: {} } }, status: 401, code: 'unauthorized' },
      { options: { body: { type: 'project.created', data: {} } }, status: 401, code: 'unauthorized' },
      {
        options: { token: apiKey, rawBody: 'type=x', headers: { 'content-type': 'text/plain' } },
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        options: { token: apiKey, body: { type: 'project.created', data: { blob: 'x'.repeat(2 * 1024 * 1024) } } },
        status: 413,
        code: 'payload_too_large',
      },
    ];
    for (const { options, status, code } of cases) {
      const response = await requestJson('POST', url, options);
      expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
    }
    // Nothing was produced: a later good event (the sentinel) is the only other delivery the receiver gets.
    const before = receiver.requests.length;
    const { sentinel, others } = await settleWithSentinel(receiver, async (data) => {
      const good = await requestJson('POST', url, { token: apiKey, body: { type: 'project.updated', data: { n: 2, ...data } } });
      expect(good.status).toBe(202);
    });
    expect(others).toHaveLength(before);
    expect(JSON.parse(sentinel.body).type).toBe('project.updated');
  });

  it("delivers an event at the 1 MiB body limit, although its task is larger than Kafka's default record limit", async () => {
    await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
      token: apiKey,
      body: { name: 'large', url: `${receiver.url}/large`, events: ['large.*'] },
    });
    const blob = 'x'.repeat(1024 * 1024 - 100);
    const posted = await requestJson('POST', `${hookline.ingestUrl}/v1/events`, {
      token: apiKey,
      body: { type: 'large.event', data: { blob } },
    });
    expect(posted.status).toBe(202);
    const delivery = await eventually(async () => receiver.requests.find((r) => r.path === '/large'), 60_000);
    expect(JSON.parse(delivery.body).data.blob).toHaveLength(blob.length);
  });

  it('signs with both the old and the new secret during a rotation overlap', async () => {
    const rotating = await Receiver.start();
    try {
      const created = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
        token: apiKey,
        body: { name: 'rotating', url: rotating.url, events: ['rotation.check'] },
      });
      const oldSecret = created.body.secret;
      const rotated = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks/${created.body.id}/secret/rotate`, {
        token: apiKey,
        body: { overlapSeconds: 3600 },
      });
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret;
      expect(newSecret).not.toBe(oldSecret);
      await requestJson('POST', `${hookline.ingestUrl}/v1/events`, { token: apiKey, body: { type: 'rotation.check', data: {} } });
      const [delivery] = await rotating.waitForRequests(1, 60_000);
      const headers = Object.fromEntries(Object.entries(delivery!.headers).map(([k, v]) => [k, String(v)]));
      expect(String(headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => new Webhook(oldSecret).verify(delivery!.body, headers)).not.toThrow();
      expect(() => new Webhook(newSecret).verify(delivery!.body, headers)).not.toThrow();
    } finally {
      await rotating.close();
    }
  });

  it('delivers only events whose payload passes the endpoint filter', async () => {
    const filtered = await Receiver.start();
    try {
      const created = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
        token: apiKey,
        body: {
          name: 'filtered',
          url: filtered.url,
          events: ['export.completed'],
          filter: { format: ['pdf', 'docx'], 'project.archived': false },
        },
      });
      expect(created.status).toBe(201);
      for (const data of [
        { n: 1, format: 'pdf', project: { archived: false } },
        { n: 2, format: 'html', project: { archived: false } },
        { n: 3, format: 'docx', project: { archived: true } },
        { n: 4, format: 'docx', project: { archived: false } },
      ]) {
        await requestJson('POST', `${hookline.ingestUrl}/v1/events`, { token: apiKey, body: { type: 'export.completed', data } });
      }
      // The sentinel passes the filter; the events the filter dropped would have arrived before it.
      const { others } = await settleWithSentinel(filtered, async (data) => {
        await requestJson('POST', `${hookline.ingestUrl}/v1/events`, {
          token: apiKey,
          body: { type: 'export.completed', data: { n: 5, format: 'pdf', project: { archived: false }, ...data } },
        });
      });
      expect(others.map((r) => JSON.parse(r.body).data.n).sort()).toEqual([1, 4]);
      const bad = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
        token: apiKey,
        body: { name: 'bad', url: filtered.url, events: ['a.b'], filter: { 'not a path!': 1 } },
      });
      expect(bad.status).toBe(422);
    } finally {
      await filtered.close();
    }
  });

  it('refuses configuration from unknown keys and bad endpoint definitions', async () => {
    const base = `${hookline.configApiUrl}/api/admin/webhooks`;
    expect((await requestJson('GET', base, { token: 'hk_nope' })).status).toBe(401);
    const bad = await requestJson('POST', base, { token: apiKey, body: { name: 'x', url: 'ftp://127.0.0.1/', events: ['a.b'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    const missing = await requestJson('GET', `${base}/ep_doesnotexist`, { token: apiKey });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });
});
