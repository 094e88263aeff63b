import { deliveryIdFor, endpointWants, type ConfigState, type DeliveryTask, type EventEnvelope } from '@hookline/core';

/** One first-attempt task per active endpoint of the event's tenant that subscribes to it. */
export function planDeliveries(event: EventEnvelope, state: ConfigState, now = Date.now()): DeliveryTask[] {
  const tasks: DeliveryTask[] = [];
  for (const endpoint of state.endpointsOf(event.tenantId)) {
    if (!endpointWants(endpoint, event)) continue;
    tasks.push({
      deliveryId: deliveryIdFor(event.id, endpoint.id),
      eventId: event.id,
      endpointId: endpoint.id,
      tenantId: event.tenantId,
      attempt: 1,
      dueAt: now,
      event,
    });
  }
  return tasks;
}
