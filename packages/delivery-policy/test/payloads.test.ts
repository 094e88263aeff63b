import { type EndpointRecord, type EventEnvelope, endpointRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deliverySettingsShape, payloadFormatNames, payloadHeaders, planTask, renderBody, resolvePolicy } from '../src/index.js';
import { endpoint, event } from './fixtures.js';

const task = planTask({ kind: 'first', event, endpoint: endpoint({ id: 'ep_9' }), now: 0 });
const body = (payloadFormat: string) => renderBody(resolvePolicy(endpoint({ payloadFormat })), task);

describe('payload formats', () => {
  it('are registered once each', () => {
    expect(payloadFormatNames).toEqual(['standard', 'thig', 'twig', 'taskapp', 'threadhound']);
  });

  it('render byte-for-byte the bodies earlier versions sent', () => {
    expect(body('standard')).toBe('{"type":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"text":"hi","n":1}}');
    expect(body('thig')).toBe('{"event":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"text":"hi","n":1}}');
    expect(body('twig')).toBe(
      '{"id":"evt_1","type":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"text":"hi","n":1},"organizationId":"t"}',
    );
    expect(body('taskapp')).toBe(
      '{"event":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","webhook_id":"ep_9","data":{"text":"hi","n":1}}',
    );
  });

  it("task app: X-Webhook-ID is the body's webhook_id (the endpoint), the delivery has its own header", () => {
    const policy = resolvePolicy(endpoint({ id: 'ep_9', profile: 'taskapp' }));
    expect(JSON.parse(renderBody(policy, task)).webhook_id).toBe('ep_9');
    expect(payloadHeaders(policy, task)).toEqual({ 'x-webhook-id': 'ep_9', 'x-webhook-delivery-id': task.deliveryId });
    expect(payloadHeaders(resolvePolicy(endpoint({ profile: 'standard' })), task)).toEqual({});
  });
});

describe('the ThreadHound format ("Webhook Data Format")', () => {
  const threadhound = (over: Partial<EndpointRecord> = {}, eventOver: Partial<EventEnvelope> = {}) =>
    renderBody(
      resolvePolicy(endpoint({ payloadFormat: 'threadhound', ...over })),
      planTask({ kind: 'first', event: { ...event, ...eventOver }, endpoint: endpoint(), now: 0 }),
    );

  it('puts communityId (default: the tenant id) and the event timestamp first in the payload', () => {
    expect(threadhound()).toBe(
      '{"webhookType":"chatmessage-crud","actionType":"created","payload":{"communityId":"t","timestamp":"2026-01-01T00:00:00.000Z","text":"hi","n":1}}',
    );
    expect(JSON.parse(threadhound({ communityId: '507f1f77bcf86cd799439011' })).payload.communityId).toBe('507f1f77bcf86cd799439011');
  });

  it("takes the event's own communityId, and always the event's ISO timestamp", () => {
    const body = JSON.parse(threadhound({ communityId: 'c-endpoint' }, { data: { communityId: 'c-event', timestamp: 12, text: 'x' } }));
    expect(body.payload).toEqual({ communityId: 'c-event', timestamp: '2026-01-01T00:00:00.000Z', text: 'x' });
  });

  it('keeps data that is not an object under `data`', () => {
    expect(JSON.parse(threadhound({}, { data: [1, 2] })).payload).toEqual({ communityId: 't', timestamp: event.timestamp, data: [1, 2] });
    expect(JSON.parse(threadhound({}, { data: undefined })).payload).toEqual({ communityId: 't', timestamp: event.timestamp });
  });

  it('maps event types to webhookType/actionType, splitting unmapped ones at the last dot', () => {
    const webhookTypes = { 'chat.message.created': { webhookType: 'chatmessage-crud', actionType: 'created' } };
    expect(JSON.parse(threadhound({ webhookTypes }, { type: 'chat.message.created' }))).toMatchObject({
      webhookType: 'chatmessage-crud',
      actionType: 'created',
    });
    expect(JSON.parse(threadhound({ webhookTypes }, { type: 'chat.thread.updated' }))).toMatchObject({
      webhookType: 'chat.thread',
      actionType: 'updated',
    });
    expect(JSON.parse(threadhound({}, { type: 'ping' }))).toMatchObject({ webhookType: 'ping', actionType: '' });
  });

  it('reads endpoints stored before the settings existed, and refuses bad mappings at the edge', () => {
    const stored = endpointRecord.parse(endpoint({ profile: 'threadhound' }));
    expect(resolvePolicy(stored).payloadSettings).toEqual({});
    const input = z.object(deliverySettingsShape());
    expect(input.safeParse({ webhookTypes: { 'a.b': { webhookType: 'x' } } }).success).toBe(false);
    expect(input.safeParse({ communityId: '' }).success).toBe(false);
    expect(input.safeParse({ communityId: 'c1', webhookTypes: { 'a.b': { webhookType: 'x', actionType: 'created' } } }).success).toBe(true);
  });
});
