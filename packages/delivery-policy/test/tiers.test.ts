import { topicNames } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { backlogDeferCapMs, backlogDeferral, deferTierOf, delayedTiers, tierTopic } from '../src/index.js';

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
    expect(backlogDeferral(tiers, stalled(undefined))).toEqual({ tier: '5s', delayMs: 5_000 });
    expect(backlogDeferral(tiers, stalled(undefined, 1))).toEqual({ tier: '30s', delayMs: 10_000 });
    expect(backlogDeferral(tiers, stalled(200_000, 3))).toEqual({ tier: '5m', delayMs: 40_000 });
    expect(backlogDeferral(tiers, stalled(12_000, 3))).toEqual({ tier: '30s', delayMs: 12_000 });
    expect(backlogDeferral(tiers, { drainEstimateMs: undefined, stalledForMs: 4_999, deferrals: 3 })).toEqual({
      tier: '5s',
      delayMs: 5_000,
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
