import type { Server } from 'node:http';
import { ConfigView } from '@hookline/config';
import { type ApiKeyRecord, type ConfigRecord, configKey, hashApiKey, topicNames } from '@hookline/core';
import { createMemoryEventLog } from '@hookline/kafka';
import { closeServer, createLogger, listen } from '@hookline/service';
import type { IncomingCall, IncomingCalls } from '@hookline/store';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assembleIngestApi } from '../src/app.js';
import type { IdempotencyStore } from '../src/event-routes.js';
import { BrokerGate, EventPublisher } from '../src/publish.js';
import { eventsOnlyPlanner } from './planner-fixture.js';

const topics = topicNames('test.');
const at = '2026-01-01T00:00:00.000Z';
const token = 'tok_secret';
const apiKey = 'hk_publisher';

/** Keys kept in memory with the store's outcomes: first use claims, the same body replays, another body conflicts. */
function memoryIdempotency(): IdempotencyStore {
  const keys = new Map<string, { bodyHash: string; eventId: string; eventTimestamp: string }>();
  return {
    async claim(tenantId, key, bodyHash, fresh) {
      const existing = keys.get(`${tenantId}/${key}`);
      if (!existing) {
        keys.set(`${tenantId}/${key}`, { bodyHash, ...fresh });
        return { outcome: 'claimed', id: key, ...fresh, claimedAt: new Date(at) };
      }
      if (existing.bodyHash !== bodyHash) return { outcome: 'mismatch' };
      return { outcome: 'replayed', eventId: existing.eventId, eventTimestamp: existing.eventTimestamp };
    },
    complete: async () => {},
    release: async () => {},
  } as IdempotencyStore;
}

describe('ingest over HTTP (memory event log)', () => {
  const log = createMemoryEventLog();
  const config = new ConfigView(log, topics.config, createLogger('ingest-test', 'silent'));
  const recorded: IncomingCall[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    await config.start();
    const publisher = await log.publisher();
    const key: ApiKeyRecord = {
      kind: 'apiKey',
      id: 'key_1',
      tenantId: 'ten_1',
      name: 'publisher',
      role: 'publisher',
      keyHash: hashApiKey(apiKey),
      keyPrefix: 'hk_',
      createdAt: at,
      updatedAt: at,
    };
    const records: ConfigRecord[] = [
      { kind: 'tenant', id: 'ten_1', name: 'Acme', createdAt: at, updatedAt: at },
      key,
      {
        kind: 'incomingHook',
        id: 'ih_1',
        tenantId: 'ten_1',
        name: 'form',
        eventType: 'form.submitted',
        tokenHash: hashApiKey(token),
        createdAt: at,
        updatedAt: at,
      },
    ];
    for (const record of records) await config.write(publisher, configKey(record.kind, record.id), record);
    const { app } = assembleIngestApi({
      config,
      publisher: new EventPublisher(publisher, eventsOnlyPlanner(topics), new BrokerGate(15_000)),
      logger: createLogger('ingest-test', 'silent'),
      metrics: new Registry(),
      idempotency: memoryIdempotency(),
      maxBodyBytes: 4096,
      incomingCalls: { record: async (_hookId: string, call: IncomingCall) => void recorded.push(call) } as unknown as IncomingCalls,
    });
    const listening = await listen(app, 0);
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
  });

  afterAll(async () => {
    await closeServer(server);
    await config.stop();
    await log.close();
  });

  const send = async (path: string, init: { body?: string; type?: string; headers?: Record<string, string>; method?: string } = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'POST',
      headers: { ...(init.type ? { 'content-type': init.type } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  };
  const auth = { authorization: `Bearer ${apiKey}` };
  const event = JSON.stringify({ type: 'order.created', data: { n: 1 } });

  it('answers 202 with the accepted event, then 200 with the same event for a retry of its Idempotency-Key', async () => {
    const first = await send('/v1/events', { body: event, type: 'application/json', headers: { ...auth, 'idempotency-key': 'k1' } });
    expect(first.status).toBe(202);
    expect(first.json()).toMatchObject({ type: 'order.created' });
    const retry = await send('/v1/events', { body: event, type: 'application/json', headers: { ...auth, 'idempotency-key': 'k1' } });
    expect([retry.status, retry.json()]).toEqual([200, first.json()]);
    const reused = await send('/v1/events', {
      body: '{"type":"a.b","data":1}',
      type: 'application/json',
      headers: { ...auth, 'idempotency-key': 'k1' },
    });
    expect([reused.status, reused.json().error.code]).toEqual([409, 'conflict']);
  });

  it('parses the body before it authenticates, then validates the key and the event under their old names', async () => {
    expect((await send('/v1/events', { body: 'x=1', type: 'text/plain' })).json().error.code).toBe('unsupported_media_type');
    expect((await send('/v1/events', { body: '{', type: 'application/json' })).json().error.code).toBe('invalid_json');
    expect((await send('/v1/events', { body: event, type: 'application/json' })).json().error.code).toBe('unauthorized');
    const badKey = await send('/v1/events', {
      body: event,
      type: 'application/json',
      headers: { ...auth, 'idempotency-key': 'k'.repeat(256) },
    });
    expect([badKey.status, badKey.json().error.message]).toEqual([422, 'Idempotency-Key header is invalid']);
    const badEvent = await send('/v1/events', { body: '{"type":"order.created"}', type: 'application/json', headers: auth });
    expect(badEvent.json().error).toMatchObject({ code: 'validation_failed', message: 'event is invalid', details: [{ path: 'data' }] });
  });

  it('refuses an Idempotency-Key on a batch and names a bad item by its index', async () => {
    const batch = JSON.stringify({ events: [JSON.parse(event), { type: 'bad type!', data: 1 }] });
    const withKey = await send('/v1/events/batch', {
      body: batch,
      type: 'application/json',
      headers: { ...auth, 'idempotency-key': 'k2' },
    });
    expect(withKey.json().error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'idempotency-key', message: 'not supported on batches' }],
    });
    const bad = await send('/v1/events/batch', { body: batch, type: 'application/json', headers: auth });
    expect(bad.json().error).toMatchObject({ message: 'batch is invalid', details: [{ path: 'events.1.type' }] });
    const good = await send('/v1/events/batch', {
      body: JSON.stringify({ events: [JSON.parse(event)] }),
      type: 'application/json',
      headers: auth,
    });
    expect([good.status, good.json().ids.length]).toEqual([202, 1]);
  });

  it('answers the verification challenge as text, and 404 for an unknown token before looking at the query', async () => {
    const answer = await send(`/api/webhooks/incoming/${token}?challenge=xyz`, { method: 'GET' });
    expect([answer.status, answer.text, answer.headers.get('content-type'), answer.headers.get('x-content-type-options')]).toEqual([
      200,
      'xyz',
      'text/plain; charset=utf-8',
      'nosniff',
    ]);
    expect((await send(`/api/webhooks/incoming/${token}`, { method: 'GET' })).status).toBe(422);
    expect((await send('/api/webhooks/incoming/nope', { method: 'GET' })).status).toBe(404);
  });

  it('turns JSON and forms into events, answers url_verification, refuses other bodies, and records each call', async () => {
    const path = `/api/webhooks/incoming/${token}`;
    const form = await send(path, { body: 'a=1&a=2&b=x', type: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(202);
    // The data is the body as sent: validation's copy of an object would drop a `__proto__` field.
    const json = await send(path, { body: '{"__proto__":{"x":1},"a":[1]}', type: 'application/json' });
    const published = log.values(topics.events) as { id: string; data: unknown }[];
    const dataOf = (id: string) => published.find((e) => e.id === id)?.data;
    expect(dataOf(form.json().id)).toEqual({ a: '2', b: 'x' });
    expect(JSON.stringify(dataOf(json.json().id))).toBe('{"__proto__":{"x":1},"a":[1]}');
    const challenge = await send(path, { body: '{"type":"url_verification","challenge":"c1"}', type: 'application/json' });
    expect([challenge.status, challenge.json()]).toEqual([200, { challenge: 'c1' }]);
    const scalar = await send(path, { body: '42', type: 'application/json' });
    expect(scalar.json().error).toEqual({
      code: 'validation_failed',
      message: 'request body is invalid',
      details: [{ path: '', message: 'JSON body must be an object or an array' }],
    });
    expect((await send(path, { body: 'x', type: 'text/plain' })).json().error.code).toBe('unsupported_media_type');
    expect((await send('/api/webhooks/incoming/nope', { body: '{}', type: 'application/json' })).status).toBe(404);
    await vi.waitFor(() => expect(recorded.map((c) => c.status)).toEqual([202, 202, 200, 422, 415]));
    expect(recorded[0]).toMatchObject({ eventId: form.json().id, eventType: 'form.submitted', bodyExcerpt: 'a=1&a=2&b=x' });
    expect(recorded[4]?.error).toMatch(/application\/json or application\/x-www-form-urlencoded/);
  });
});
