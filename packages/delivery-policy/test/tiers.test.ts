import { topicNames } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { deferTierOf, delayedTiers, tierTopic } from '../src/index.js';

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
