import type { EventEnvelope } from '@hookline/core';

/** The body subscribers receive: the Standard Webhooks recommended `{type, timestamp, data}` shape. */
export function deliveryBody(event: EventEnvelope): string {
  return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
}
