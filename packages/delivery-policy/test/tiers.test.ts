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

  it('waits the first delayed tier while the drain is unknown, and a short drain in that tier', () => {
    expect(backlogDeferral(tiers, undefined)).toEqual({ tier: '5s', delayMs: 5_000 });
    expect(backlogDeferral(tiers, 120.4)).toEqual({ tier: '5s', delayMs: 121 });
  });

  it('waits a long drain out in the shortest tier that covers it, so the task goes round once, not every 5 s', () => {
    expect(backlogDeferral(tiers, 200_000)).toEqual({ tier: '5m', delayMs: 200_000 });
    expect(backlogDeferral(tiers, 12_000)).toEqual({ tier: '30s', delayMs: 12_000 });
  });

  it('never waits longer than backlogDeferCapMs, whatever the estimate', () => {
    expect(backlogDeferral(tiers, 10 * 3_600_000)).toEqual({ tier: '5m', delayMs: backlogDeferCapMs });
    expect(backlogDeferral(['5s', '30s'], 200_000)).toEqual({ tier: '30s', delayMs: 30_000 });
  });

  it('goes straight back to deliveries when no tier has a delay', () => {
    expect(backlogDeferral(['0s'], 200_000)).toEqual({ tier: '0s', delayMs: 0 });
  });
});
