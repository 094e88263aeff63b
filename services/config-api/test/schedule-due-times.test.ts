import type { ScheduleRecord } from '@hookline/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cronProblem, dueTimesBetween, isTimezone, nextDue } from '../src/schedules/due-times.js';

type Timing = Pick<ScheduleRecord, 'scheduleType' | 'cronExpression' | 'scheduledAt' | 'timezone'>;
const cron = (cronExpression: string, timezone: string): Timing => ({ scheduleType: 'custom_cron', cronExpression, timezone });

/** The next `n` due times from the (fake) clock's now, as the scheduler sees them tick by tick. */
function upcoming(schedule: Timing, n: number): string[] {
  const out: string[] = [];
  let cursor = new Date();
  for (let i = 0; i < n; i++) {
    const next = nextDue(schedule, cursor);
    if (!next) break;
    out.push(next.toISOString());
    cursor = next;
  }
  return out;
}

describe('due times across DST', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('America/New_York spring forward: 09:00 stays 09:00 local (14:00Z → 13:00Z); 02:30 runs at 03:00 on the gap day', () => {
    vi.setSystemTime(new Date('2026-03-06T12:00:00Z'));
    expect(upcoming(cron('0 9 * * *', 'America/New_York'), 4)).toEqual([
      '2026-03-06T14:00:00.000Z',
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
    // 02:30 does not exist on 2026-03-08: it runs once, at the first valid time after the gap (03:00 EDT).
    expect(upcoming(cron('30 2 * * *', 'America/New_York'), 3)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('America/New_York fall back: 01:30 happens twice and fires once, at the first occurrence', () => {
    vi.setSystemTime(new Date('2026-10-31T12:00:00Z'));
    expect(upcoming(cron('30 1 * * *', 'America/New_York'), 3)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('Europe/Berlin spring forward and fall back for a fixed time', () => {
    vi.setSystemTime(new Date('2026-03-27T12:00:00Z'));
    expect(upcoming(cron('30 2 * * *', 'Europe/Berlin'), 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    vi.setSystemTime(new Date('2026-10-23T12:00:00Z'));
    expect(upcoming(cron('30 2 * * *', 'Europe/Berlin'), 3)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('Europe/Berlin fall back: an interval cron keeps its interval through the repeated hour (Vixie cron)', () => {
    vi.setSystemTime(new Date('2026-10-25T00:20:00Z'));
    const times = upcoming(cron('*/15 * * * *', 'Europe/Berlin'), 8).map(Date.parse);
    expect(times[0]).toBe(Date.parse('2026-10-25T00:30:00Z'));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(15 * 60_000);
  });

  it('weekly_digest is Monday 09:00 in its timezone, winter and summer', () => {
    vi.setSystemTime(new Date('2026-10-23T12:00:00Z'));
    const digest: Timing = { scheduleType: 'weekly_digest', timezone: 'Europe/Berlin' };
    expect(upcoming(digest, 2)).toEqual(['2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
    vi.setSystemTime(new Date('2026-07-01T00:00:00Z'));
    expect(upcoming({ ...digest, timezone: 'America/New_York' }, 1)).toEqual(['2026-07-06T13:00:00.000Z']);
  });
});

describe('due times', () => {
  it('one_time is due once; on_status_change has no due times', () => {
    const once: Timing = { scheduleType: 'one_time', scheduledAt: '2026-05-01T10:00:00+02:00', timezone: 'Europe/Berlin' };
    expect(nextDue(once, new Date('2026-05-01T07:00:00Z'))?.toISOString()).toBe('2026-05-01T08:00:00.000Z');
    expect(nextDue(once, new Date('2026-05-01T08:00:00Z'))).toBeUndefined();
    expect(nextDue({ scheduleType: 'on_status_change', timezone: 'UTC' }, new Date())).toBeUndefined();
  });

  it('catch-up keeps the latest due times up to the cap and counts the rest', () => {
    const everyMinute = cron('* * * * *', 'UTC');
    const { due, skipped } = dueTimesBetween(everyMinute, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T01:00:00Z'), 10);
    expect(due.map((d) => d.toISOString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `2026-01-01T00:${String(51 + i).padStart(2, '0')}:00.000Z`).map((s) =>
        s.replace('00:60:00', '01:00:00'),
      ),
    );
    expect(skipped).toBe(50);
  });

  it('validates timezones and cron expressions', () => {
    expect(isTimezone('America/New_York')).toBe(true);
    expect(isTimezone('UTC')).toBe(true);
    expect(isTimezone('Mars/Olympus')).toBe(false);
    expect(cronProblem('*/5 * * * *', 'UTC')).toBeUndefined();
    expect(cronProblem('every tuesday', 'UTC')).toBeTypeOf('string');
  });
});
