import { type AttemptRecord, type EndpointRecord, type EventEnvelope, testEndpoint } from '@hookline/core';
import { planTask } from '../src/index.js';

export const endpoint = (over: Partial<EndpointRecord> = {}): EndpointRecord =>
  testEndpoint('ep', { tenantId: 't', name: 'n', url: 'https://127.0.0.2', ...over });

export const event: EventEnvelope = {
  id: 'evt_1',
  type: 'chatmessage-crud.created',
  tenantId: 't',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { text: 'hi', n: 1 },
};

export const task = (attempt = 1) => ({ ...planTask({ kind: 'first', event, endpoint: endpoint(), now: 0 }), attempt });

export const attempt = (over: Partial<AttemptRecord> = {}): AttemptRecord => ({
  attemptId: 'a',
  deliveryId: 'd',
  eventId: 'e',
  eventType: 't',
  endpointId: 'ep',
  tenantId: 't',
  attempt: 1,
  url: '',
  startedAt: '',
  durationMs: 1,
  outcome: 'failure',
  final: false,
  ...over,
});
