import { type ConfigState, type DeliveryTask, type EventEnvelope, endpointWants } from '@hookline/core';
import { planTask } from '@hookline/delivery-policy';

/** One first-attempt task per active endpoint of the event's tenant that subscribes to it. */
export function planDeliveries(event: EventEnvelope, state: ConfigState, now = Date.now()): DeliveryTask[] {
  const tasks: DeliveryTask[] = [];
  for (const endpoint of state.endpointsOf(event.tenantId)) {
    if (endpointWants(endpoint, event)) tasks.push(planTask({ kind: 'first', event, endpoint, now }));
  }
  return tasks;
}
