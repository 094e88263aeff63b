import { describe, expect, it } from 'vitest';
import { latencyPercentile } from '../src/store.js';

describe('latencyPercentile', () => {
  it('answers the upper bound of the bucket holding the quantile', () => {
    expect(latencyPercentile(undefined, 0.95)).toBeNull();
    expect(latencyPercentile({}, 0.95)).toBeNull();
    expect(latencyPercentile({ '10': 90, '100': 5, '1000': 5 }, 0.95)).toBe(100);
    expect(latencyPercentile({ '10': 90, '100': 4, '1000': 6 }, 0.95)).toBe(1000);
    expect(latencyPercentile({ '10': 1, inf: 99 }, 0.95)).toBe(Number.POSITIVE_INFINITY);
  });
});
