import type { Collection, Db } from 'mongodb';
import { SecondaryIndexes } from './secondary-indexes.js';

/**
 * One firing of a schedule: `_id` is the event id, derived from the schedule and its due time (or the event
 * that triggered it), so two schedulers computing the same due time claim the same document and only one
 * insert succeeds. The event is stored whole: whoever finds an unpublished claim after its lease publishes
 * exactly this event (same id, same data).
 */
export interface ScheduleFireDoc {
  _id: string;
  scheduleId: string;
  tenantId: string;
  dueAt: string;
  /** The event envelope to publish, as JSON. */
  event: string;
  claimedBy: string;
  /** Until when the claimer may publish before another scheduler takes over (epoch ms). */
  leaseUntil: number;
  /** Set once the event is on `events` (epoch ms); never published again after that. */
  publishedAt: number | null;
}

/** The latest due time a scheduler has handled for a schedule: where the next catch-up starts. */
export interface ScheduleMarkDoc {
  _id: string;
  lastDueAt: string;
}

/** Claims and last-fired marks of scheduled exports in MongoDB (`schedule_fires`, `schedule_marks`). */
export class ScheduleFires {
  readonly fires: Collection<ScheduleFireDoc>;
  readonly marks: Collection<ScheduleMarkDoc>;

  private readonly indexes: SecondaryIndexes;

  constructor(db: Db) {
    this.indexes = new SecondaryIndexes(db);
    this.fires = db.collection<ScheduleFireDoc>('schedule_fires');
    this.marks = db.collection<ScheduleMarkDoc>('schedule_marks');
  }

  async ensureIndexes(): Promise<void> {
    await this.indexes.ensure(this.fires, { publishedAt: 1, leaseUntil: 1 });
  }

  /** Inserts the claim; false when the due time was already claimed (by anyone, this process included). */
  async claim(doc: ScheduleFireDoc): Promise<boolean> {
    try {
      await this.fires.insertOne(doc);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Claims whose lease ran out before they were published (their scheduler crashed or stalled). */
  async abandoned(now: number, limit = 100): Promise<ScheduleFireDoc[]> {
    return this.fires
      .find({ publishedAt: null, leaseUntil: { $lt: now } })
      .limit(limit)
      .toArray();
  }

  /** Takes over an abandoned claim; false when another scheduler took it (or published it) first. */
  async takeOver(doc: ScheduleFireDoc, claimedBy: string, leaseUntil: number): Promise<boolean> {
    const result = await this.fires.updateOne(
      { _id: doc._id, publishedAt: null, leaseUntil: doc.leaseUntil },
      { $set: { claimedBy, leaseUntil } },
    );
    return result.modifiedCount === 1;
  }

  async published(id: string, at: number): Promise<void> {
    await this.fires.updateOne({ _id: id }, { $set: { publishedAt: at } });
  }

  async find(id: string): Promise<ScheduleFireDoc | null> {
    return this.fires.findOne({ _id: id });
  }

  async lastDue(scheduleId: string): Promise<string | undefined> {
    return (await this.marks.findOne({ _id: scheduleId }))?.lastDueAt;
  }

  /**
   * Moves the mark forward. Two schedulers may race and leave the earlier value; that only makes the next pass
   * look at due times already claimed, which their claims skip.
   */
  async markDue(scheduleId: string, lastDueAt: string): Promise<void> {
    const current = await this.lastDue(scheduleId);
    if (current && Date.parse(current) >= Date.parse(lastDueAt)) return;
    try {
      await this.marks.updateOne({ _id: scheduleId }, { $set: { lastDueAt } }, { upsert: true });
    } catch (error) {
      // Two first marks racing: the other upsert inserted it; either value is a valid mark.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }

  async forget(scheduleId: string): Promise<void> {
    await this.marks.deleteOne({ _id: scheduleId });
  }
}
