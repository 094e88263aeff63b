import { describe, expect, it } from 'vitest';
import { deliveryIdFor, newId } from '../src/index.js';

describe('ids', () => {
  it('derives the same delivery id for the same event and endpoint, and different ones otherwise', () => {
    expect(deliveryIdFor('evt_1', 'ep_1')).toBe(deliveryIdFor('evt_1', 'ep_1'));
    expect(deliveryIdFor('evt_1', 'ep_1')).not.toBe(deliveryIdFor('evt_1', 'ep_2'));
    expect(deliveryIdFor('evt_1', 'ep_1')).toMatch(/^msg_[0-9a-z]{26}$/);
  });

  it('makes time-ordered unique ids', () => {
    const a = newId('evt', 1_000);
    const b = newId('evt', 2_000);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newId('evt'))).size).toBe(1000);
  });
});
