import { definePayloadFormat } from '../payload-format.js';

/** Twig: `{id, type, timestamp, data, organizationId}`. */
export const twigPayload = definePayloadFormat({
  name: 'twig',
  render: ({ event }) =>
    JSON.stringify({ id: event.id, type: event.type, timestamp: event.timestamp, data: event.data, organizationId: event.tenantId }),
});
