import type { DeliveryTask, PayloadSettings } from '@hookline/core';
import { definePayloadFormat } from '../payload-format.js';

/**
 * ThreadHound ("Webhook Data Format"): `{webhookType, actionType, payload}` where `payload` carries
 * `communityId` and `timestamp` (ISO 8601) first, then the type-specific fields (the event's `data`).
 */
export const threadhoundPayload = definePayloadFormat({
  name: 'threadhound',
  render(task, settings) {
    const { webhookType, actionType } = threadhoundType(task.event.type, settings);
    return JSON.stringify({ webhookType, actionType, payload: threadhoundPayloadOf(task, settings) });
  },
});

/** The endpoint's mapping for the event type, else the type split at its last dot (`a-crud.created`). */
function threadhoundType(eventType: string, settings: PayloadSettings): { webhookType: string; actionType: string } {
  const mapped = settings.webhookTypes?.[eventType];
  if (mapped) return mapped;
  const cut = eventType.lastIndexOf('.');
  return cut < 0
    ? { webhookType: eventType, actionType: '' }
    : { webhookType: eventType.slice(0, cut), actionType: eventType.slice(cut + 1) };
}

function threadhoundPayloadOf({ event, tenantId }: DeliveryTask, settings: PayloadSettings): Record<string, unknown> {
  const {
    communityId: own,
    timestamp: _timestamp,
    ...fields
  } = isRecord(event.data) ? event.data : event.data === undefined ? {} : { data: event.data };
  return {
    // An event naming its own community is the most specific answer (one tenant serving several communities).
    communityId: typeof own === 'string' ? own : (settings.communityId ?? tenantId),
    // The event's timestamp: the envelope guarantees ISO 8601, which a field of the data may not.
    timestamp: event.timestamp,
    ...fields,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
