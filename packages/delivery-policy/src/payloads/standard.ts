import { definePayloadFormat } from '../payload-format.js';

/** Standard Webhooks: `{type, timestamp, data}`. */
export const standardPayload = definePayloadFormat({
  name: 'standard',
  render: ({ event }) => JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data }),
});
