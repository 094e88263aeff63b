import type { DeliveryTask } from '@hookline/core';
import type { OutgoingRecord } from '@hookline/kafka';

/** A delivery task as a record of `deliveries` or a retry tier: keyed by endpoint, for per-endpoint order. */
export function taskRecord(task: DeliveryTask): OutgoingRecord {
  return { key: task.endpointId, value: JSON.stringify(task) };
}
