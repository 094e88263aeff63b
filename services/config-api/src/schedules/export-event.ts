import { createHash } from 'node:crypto';
import type { EventEnvelope, ScheduleRecord } from '@hookline/core';

/** The event type every schedule produces (subscribe to it, or give the schedule a `webhookUrl`). */
export const exportEventType = 'export.scheduled';

/** How a firing came about: a due time (maybe late), a matching status event, or the trigger route. */
export interface FireCause {
  dueAt: string;
  late: boolean;
  manual: boolean;
  /** The event whose `data.status` fired an `on_status_change` schedule. */
  triggeredBy?: string;
}

/** One id per schedule and due time (or triggering event): every scheduler computes the same one. */
export function fireId(scheduleId: string, occasion: string): string {
  return `evt_sch_${createHash('sha256').update(`${scheduleId}\n${occasion}`).digest('base64url').slice(0, 32)}`;
}

/** The schedule's fields as the event's data, with when and why it fired. */
export function exportEvent(schedule: ScheduleRecord, id: string, cause: FireCause, now: Date): EventEnvelope {
  const {
    kind: _kind,
    id: scheduleId,
    tenantId,
    webhookEndpointId: _managed,
    activeSince: _since,
    createdAt: _c,
    updatedAt: _u,
    ...fields
  } = schedule;
  return {
    id,
    type: exportEventType,
    tenantId,
    timestamp: now.toISOString(),
    data: { scheduleId, ...fields, ...cause },
  };
}
