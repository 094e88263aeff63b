import { topicNames } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { backlogDeferCapMs, backlogDeferral, deferTierOf, delayedTiers, tierTopic, waitsOverBacklog } from '../src/index.js';

describe('retry tiers', () => {
  const topics = topicNames('h.');
  it('maps a tier to its topic, a tier of no delay to deliveries', () => {
    expect(tierTopic(topics, '5s')).toBe('h.retry.5s');
    expect(tierTopic(topics, '0s')).toBe('h.deliveries');
  });

  it('lists the tiers that are topics and picks the first as the defer tier', () => {
    expect(delayedTiers(['0s', '5s', '1m'])).toEqual(['5s', '1m']);
    expect(deferTierOf(['0s', '5s', '1m'])).toBe('5s');
    expect(deferTierOf(['0s'])).toBe('0s');
  });
});

describe('waitsOverBacklog', () => {
  const queue = { queued: 200, backlog: 200, drainEstimateMs: 120, stalledForMs: 0 };

  it('keeps a task in memory when the endpoint answers and empties its queue within 500 ms', () => {
    expect(waitsOverBacklog(queue)).toBe(true);
    expect(waitsOverBacklog({ ...queue, drainEstimateMs: 500 })).toBe(true);
    expect(waitsOverBacklog({ ...queue, queued: 999 })).toBe(true);
  });

  it('defers when the endpoint drains slowly, is stalled, has no pace yet, or its queue is five backlogs long', () => {
    expect(waitsOverBacklog({ ...queue, drainEstimateMs: 501 })).toBe(false);
    expect(waitsOverBacklog({ ...queue, stalledForMs: 5_000 })).toBe(false);
    expect(waitsOverBacklog({ ...queue, drainEstimateMs: undefined })).toBe(false);
    expect(waitsOverBacklog({ ...queue, queued: 1_000 })).toBe(false);
  });
});

describe('backlogDeferral', () => {
  const tiers = ['0s', '5s', '30s', '5m', '1h'];
  const busy = (drainEstimateMs: number | undefined, deferrals?: number) => ({ drainEstimateMs, stalledForMs: 0, deferrals });
  const stalled = (drainEstimateMs: number | undefined, deferrals?: number) => ({ drainEstimateMs, stalledForMs: 6_000, deferrals });

  it('holds a task of a busy endpoint back until its backlog should drain, at most the first delayed tier', () => {
    expect(backlogDeferral(tiers, busy(undefined))).toEqual({ tier: '5s', delayMs: 5_000 });
    expect(backlogDeferral(tiers, busy(120.4))).toEqual({ tier: '5s', delayMs: 121 });
    // However long the estimate (overload on our side inflates it) and however often it was deferred.
    expect(backlogDeferral(tiers, busy(200_000, 6))).toEqual({ tier: '5s', delayMs: 5_000 });
  });

  it('doubles the wait for each earlier deferral when the endpoint is stalled, in the shortest tier that covers it', () => {
    // Stalled for 6 s: at least that long.
    expect(backlogDeferral(tiers, stalled(undefined))).toEqual({ tier: '30s', delayMs: 6_000 });
    expect(backlogDeferral(tiers, stalled(undefined, 1))).toEqual({ tier: '30s', delayMs: 10_000 });
    expect(backlogDeferral(tiers, stalled(200_000, 3))).toEqual({ tier: '5m', delayMs: 40_000 });
    expect(backlogDeferral(tiers, stalled(12_000, 3))).toEqual({ tier: '30s', delayMs: 12_000 });
    expect(backlogDeferral(tiers, { drainEstimateMs: undefined, stalledForMs: 4_999, deferrals: 3 })).toEqual({
      tier: '5s',
      delayMs: 5_000,
    });
  });

  it('holds a task of an endpoint stalled for long back at least as long as it has been stalled, its first deferral too', () => {
    const hungFor = (stalledForMs: number, deferrals?: number) => ({ drainEstimateMs: 200_000, stalledForMs, deferrals });
    expect(backlogDeferral(tiers, hungFor(60_000))).toEqual({ tier: '5m', delayMs: 60_000 });
    expect(backlogDeferral(tiers, hungFor(20_000, 2))).toEqual({ tier: '30s', delayMs: 20_000 });
    expect(backlogDeferral(tiers, hungFor(12_000, 3))).toEqual({ tier: '5m', delayMs: 40_000 });
    expect(backlogDeferral(tiers, { ...hungFor(3_600_000), drainEstimateMs: undefined })).toEqual({
      tier: '5m',
      delayMs: backlogDeferCapMs,
    });
  });

  it('never waits longer than backlogDeferCapMs, however often the task was deferred', () => {
    expect(backlogDeferral(tiers, stalled(undefined, 6))).toEqual({ tier: '5m', delayMs: backlogDeferCapMs });
    expect(backlogDeferral(tiers, stalled(10 * 3_600_000, 1_000))).toEqual({ tier: '5m', delayMs: backlogDeferCapMs });
    expect(backlogDeferral(['5s', '30s'], stalled(undefined, 4))).toEqual({ tier: '30s', delayMs: 30_000 });
  });

  it('goes straight back to deliveries when no tier has a delay', () => {
    expect(backlogDeferral(['0s'], stalled(200_000, 3))).toEqual({ tier: '0s', delayMs: 0 });
  });
});
