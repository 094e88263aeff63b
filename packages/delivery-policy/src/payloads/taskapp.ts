import { definePayloadFormat } from '../payload-format.js';

/** Task app: `{event, timestamp, webhook_id, data}` (`webhook_id` is the endpoint's id). */
export const taskappPayload = definePayloadFormat({
  name: 'taskapp',
  render: ({ event, endpointId }) =>
    JSON.stringify({ event: event.type, timestamp: event.timestamp, webhook_id: endpointId, data: event.data }),
});
