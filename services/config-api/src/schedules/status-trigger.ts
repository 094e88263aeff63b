import { type EventEnvelope, eventEnvelope, type ScheduleRecord } from '@hookline/core';
import type { EventLog, LogRecord, RunningConsumer } from '@hookline/kafka';
import type { Logger } from 'pino';
import { exportEventType } from './export-event.js';
import type { Scheduler } from './scheduler.js';

export interface StatusTriggerOptions {
  log: Pick<EventLog, 'consume'>;
  groupId: string;
  eventsTopic: string;
  config: { readonly state: { readonly schedules: ReadonlyMap<string, ScheduleRecord> } };
  scheduler: Pick<Scheduler, 'fire'>;
  logger: Logger;
}

/** The tenant's `on_status_change` schedules, by tenant id (rebuilt per batch: schedules are few). */
function statusSchedules(schedules: Iterable<ScheduleRecord>): Map<string, ScheduleRecord[]> {
  const byTenant = new Map<string, ScheduleRecord[]>();
  for (const schedule of schedules) {
    if (schedule.scheduleType !== 'on_status_change') continue;
    const list = byTenant.get(schedule.tenantId) ?? [];
    list.push(schedule);
    byTenant.set(schedule.tenantId, list);
  }
  return byTenant;
}

function parseEvent(record: LogRecord): EventEnvelope | undefined {
  try {
    const parsed = eventEnvelope.safeParse(JSON.parse(record.value?.toString('utf8') ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The `data.status` (and `data.projectId` when the schedule names a project) decide whether `event` fires `schedule`. */
export function firesOn(schedule: ScheduleRecord, event: EventEnvelope): boolean {
  if (event.type === exportEventType) return false;
  if (Date.parse(event.timestamp) < Date.parse(schedule.activeSince ?? schedule.createdAt)) return false;
  const data = (event.data ?? {}) as { status?: unknown; projectId?: unknown };
  if (typeof data.status !== 'string' || data.status !== schedule.triggerStatus) return false;
  return schedule.projectId === undefined || data.projectId === schedule.projectId;
}

/**
 * Fires `on_status_change` schedules: reads `events` with its own consumer group and, for tenants that have such
 * schedules, fires each schedule whose `triggerStatus` equals the event's `data.status`. The firing's id comes
 * from the schedule and the event, so a batch read again (a crash before the commit) fires nothing twice.
 * Records of other tenants are skipped by their key without being parsed.
 */
export function startStatusTrigger(options: StatusTriggerOptions): Promise<RunningConsumer> {
  const { log, groupId, eventsTopic, config, scheduler, logger } = options;
  return log.consume({
    groupId,
    topics: [eventsTopic],
    // Not on the delivery path: a fetch waits for ~64 KiB of events or 1 s, so under load this reads a few large
    // batches a second instead of one fetch per produce request (it took ~12 % of a core at 300 events/s).
    // A status change fires its schedule up to a second later under load, at once after a quiet spell.
    minBytes: 64 * 1024,
    maxWaitMs: 1_000,
    async onBatch(batch) {
      const byTenant = statusSchedules(config.state.schedules.values());
      if (byTenant.size === 0) return;
      for (const record of batch.records) {
        const schedules = record.key ? byTenant.get(record.key) : undefined;
        if (!schedules) continue;
        const event = parseEvent(record);
        if (!event) continue;
        for (const schedule of schedules) {
          if (!firesOn(schedule, event)) continue;
          // Throwing (MongoDB or the broker away) reads the batch again: claims make that safe.
          await scheduler.fire(schedule, `event:${event.id}`, {
            dueAt: event.timestamp,
            late: false,
            manual: false,
            triggeredBy: event.id,
          });
          logger.debug({ scheduleId: schedule.id, eventId: event.id }, 'status change fired a schedule');
        }
      }
    },
  });
}
