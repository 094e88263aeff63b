import { definePayloadFormat } from '../payload-format.js';

/**
 * Task app: `{event, timestamp, webhook_id, data}`. The document prints `webhook_id` and the `X-Webhook-ID`
 * header with the same value (`webhook_123`, the webhook's id): here the endpoint's id. It has no header for a
 * delivery's own id, so the stable per-delivery id (the same for every attempt) goes in `X-Webhook-Delivery-ID`.
 */
export const taskappPayload = definePayloadFormat({
  name: 'taskapp',
  render: ({ event, endpointId }) =>
    JSON.stringify({ event: event.type, timestamp: event.timestamp, webhook_id: endpointId, data: event.data }),
  headers: ({ endpointId, deliveryId }) => ({ 'x-webhook-id': endpointId, 'x-webhook-delivery-id': deliveryId }),
});
