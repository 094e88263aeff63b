import type { DeliveryTask, PayloadFormat } from '@hookline/core';

/** The JSON body a subscriber receives, in the shape its product's documentation promises. */
export function deliveryBody(format: PayloadFormat, task: DeliveryTask): string {
  const { event } = task;
  switch (format) {
    case 'standard':
      return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
    case 'thig':
      return JSON.stringify({ event: event.type, timestamp: event.timestamp, data: event.data });
    case 'twig':
      return JSON.stringify({ id: event.id, type: event.type, timestamp: event.timestamp, data: event.data, organizationId: event.tenantId });
    case 'taskapp':
      return JSON.stringify({ event: event.type, timestamp: event.timestamp, webhook_id: task.endpointId, data: event.data });
    case 'threadhound': {
      // `chatmessage-crud.created` → webhookType `chatmessage-crud`, actionType `created`.
      const cut = event.type.lastIndexOf('.');
      return JSON.stringify({
        webhookType: cut < 0 ? event.type : event.type.slice(0, cut),
        actionType: cut < 0 ? '' : event.type.slice(cut + 1),
        payload: event.data,
      });
    }
  }
}
