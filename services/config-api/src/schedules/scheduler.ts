import { type EventEnvelope, eventRecord, newId, type ScheduleRecord } from '@hookline/core';
import type { RecordPublisher } from '@hookline/kafka';
import type { ScheduleFireDoc, ScheduleFires } from '@hookline/store';
import type { Logger } from 'pino';
import { dueTimesBetween } from './due-times.js';
import { exportEvent, type FireCause, fireId } from './export-event.js';

export interface SchedulerOptions {
  config: { readonly state: { readonly schedules: ReadonlyMap<string, ScheduleRecord> } };
  store: Pick<ScheduleFires, 'claim' | 'abandoned' | 'takeOver' | 'published' | 'lastDue' | 'markDue'>;
  publisher: Pick<RecordPublisher, 'publish'>;
  eventsTopic: string;
  logger: Logger;
  /** Who claims (for the record and the logs). */
  instanceId: string;
  /** How often due times are checked (default 1 s). */
  tickMs?: number;
  /** How long a claim is its scheduler's before another publishes it (default 30 s). */
  leaseMs?: number;
  /** At most this many missed due times per schedule are fired on catch-up (default 10). */
  catchUpMax?: number;
  /** A due time fired more than this after it was due is marked `late: true` (default 60 s). */
  lateAfterMs?: number;
  now?: () => number;
}

/**
 * Fires scheduled exports. Each due time is claimed in MongoDB under a deterministic event id before it is
 * published, so two schedulers (or one restarted after a crash) publish it once; a claim whose scheduler died
 * before publishing is published by whoever finds it after its lease, with the stored event (same id).
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The last due time handled per schedule (the store's mark, cached). */
  private readonly marks = new Map<string, number>();
  /** When this scheduler last looked for abandoned claims (-Infinity: never). */
  private abandonedCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SchedulerOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  start(): void {
    const tick = () => {
      this.running = this.tick()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'scheduler pass failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.tickMs ?? 1000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: publish abandoned claims, then fire every due time of every time-based schedule. */
  async tick(): Promise<void> {
    await this.publishAbandoned();
    for (const schedule of this.options.config.state.schedules.values()) {
      if (schedule.scheduleType === 'on_status_change') continue;
      // One schedule that fails (its claim, its publish) must not hold back the others; its mark stays, so the
      // next pass tries its due times again.
      try {
        await this.fireDue(schedule);
      } catch (error) {
        this.options.logger.error({ err: error, scheduleId: schedule.id }, 'could not fire a schedule');
      }
    }
  }

  /** Fires the due times of `schedule` since its mark (or its creation), late ones marked. */
  private async fireDue(schedule: ScheduleRecord): Promise<void> {
    const { store, catchUpMax = 10, lateAfterMs = 60_000, logger } = this.options;
    const now = this.now();
    let mark = this.marks.get(schedule.id);
    if (mark === undefined) {
      const stored = await store.lastDue(schedule.id);
      mark = Math.max(stored ? Date.parse(stored) : 0, Date.parse(schedule.activeSince ?? schedule.createdAt));
    }
    const { due, skipped } = dueTimesBetween(schedule, new Date(mark), new Date(now), catchUpMax);
    if (skipped > 0) logger.warn({ scheduleId: schedule.id, skipped }, 'catch-up cap reached: older missed due times not fired');
    for (const at of due) {
      const dueAt = at.toISOString();
      await this.fire(schedule, dueAt, { dueAt, late: now - at.getTime() > lateAfterMs, manual: false });
    }
    const last = due.at(-1);
    if (last) {
      this.marks.set(schedule.id, last.getTime());
      await store.markDue(schedule.id, last.toISOString());
    } else {
      this.marks.set(schedule.id, mark);
    }
  }

  /** Claims the firing under its deterministic id and publishes it; nothing when someone claimed it first. */
  async fire(schedule: ScheduleRecord, occasion: string, cause: FireCause): Promise<string> {
    const { store, instanceId, leaseMs = 30_000 } = this.options;
    const now = this.now();
    const id = fireId(schedule.id, occasion);
    const event = exportEvent(schedule, id, cause, new Date(now));
    const claimed = await store.claim({
      _id: id,
      scheduleId: schedule.id,
      tenantId: schedule.tenantId,
      dueAt: cause.dueAt,
      event: JSON.stringify(event),
      claimedBy: instanceId,
      leaseUntil: now + leaseMs,
      publishedAt: null,
    });
    if (claimed) await this.publish(event);
    return id;
  }

  /** The trigger route: fires now with a fresh id (no claim: each call is its own firing). */
  async trigger(schedule: ScheduleRecord): Promise<string> {
    const now = new Date(this.now());
    const event = exportEvent(schedule, newId('evt'), { dueAt: now.toISOString(), late: false, manual: true }, now);
    await this.options.publisher.publish([{ topic: this.options.eventsTopic, records: [eventRecord(event)] }]);
    return event.id;
  }

  private async publish(event: EventEnvelope): Promise<void> {
    await this.options.publisher.publish([{ topic: this.options.eventsTopic, records: [eventRecord(event)] }]);
    await this.options.store.published(event.id, this.now());
    this.options.logger.info({ eventId: event.id, tenantId: event.tenantId }, 'scheduled export fired');
  }

  /**
   * Claims left unpublished past their lease (a scheduler crashed between claim and publish). Looked for three
   * times a lease, not every pass: the other work of a pass is in memory unless something is due, so an idle
   * scheduler costs MongoDB one query per 10 s instead of one a second, and an abandoned claim still goes out
   * within a third of a lease after the lease ends.
   */
  private async publishAbandoned(): Promise<void> {
    const { store, instanceId, leaseMs = 30_000 } = this.options;
    const now = this.now();
    if (now - this.abandonedCheckedAt < leaseMs / 3) return;
    this.abandonedCheckedAt = now;
    for (const doc of await store.abandoned(now)) {
      if (!(await store.takeOver(doc, instanceId, now + leaseMs))) continue;
      await this.publish(parseStored(doc));
    }
  }
}

function parseStored(doc: ScheduleFireDoc): EventEnvelope {
  return JSON.parse(doc.event) as EventEnvelope;
}
