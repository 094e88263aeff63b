import type { ScheduleRecord } from '@hookline/core';
import { Cron } from 'croner';

/** `weekly_digest` fires on Mondays at 09:00 in the schedule's timezone. */
export const weeklyDigestCron = '0 9 * * 1';

/** Catch-up walks at most this many due times of one schedule per pass (a per-second cron down for a day). */
const maxWalk = 100_000;

/** True when `timezone` is an IANA zone this runtime knows (`UTC`, `Europe/Berlin`, ...). */
export function isTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression is refused, or undefined when croner accepts it. */
export function cronProblem(expression: string, timezone: string): string | undefined {
  try {
    new Cron(expression, { timezone, paused: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

type Timing = Pick<ScheduleRecord, 'scheduleType' | 'cronExpression' | 'scheduledAt' | 'timezone'>;

function cronOf(schedule: Timing): Cron | undefined {
  const pattern = schedule.scheduleType === 'weekly_digest' ? weeklyDigestCron : schedule.cronExpression;
  if (schedule.scheduleType !== 'weekly_digest' && schedule.scheduleType !== 'custom_cron') return undefined;
  if (!pattern) return undefined;
  return new Cron(pattern, { timezone: schedule.timezone, paused: true });
}

/** The first due time strictly after `after`; undefined for `on_status_change` and a past `one_time`. */
export function nextDue(schedule: Timing, after: Date): Date | undefined {
  if (schedule.scheduleType === 'one_time') {
    const at = schedule.scheduledAt ? new Date(schedule.scheduledAt) : undefined;
    return at && at.getTime() > after.getTime() ? at : undefined;
  }
  return cronOf(schedule)?.nextRun(after) ?? undefined;
}

/**
 * Due times in (`after`, `until`], oldest first, keeping only the latest `cap` of them (the catch-up bound: a
 * scheduler that was down for long fires the most recent due times late, not every one it missed).
 */
export function dueTimesBetween(schedule: Timing, after: Date, until: Date, cap: number): { due: Date[]; skipped: number } {
  const due: Date[] = [];
  let skipped = 0;
  let cursor = after;
  for (let i = 0; i < maxWalk; i++) {
    const next = nextDue(schedule, cursor);
    if (!next || next.getTime() > until.getTime()) break;
    due.push(next);
    if (due.length > cap) {
      due.shift();
      skipped++;
    }
    cursor = next;
  }
  return { due, skipped };
}
