import { definePayloadFormat } from '../payload-format.js';

/** thig.ai: `{event, timestamp, data}`. */
export const thigPayload = definePayloadFormat({
  name: 'thig',
  render: ({ event }) => JSON.stringify({ event: event.type, timestamp: event.timestamp, data: event.data }),
});
