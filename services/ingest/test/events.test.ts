import { describe, expect, it } from 'vitest';
import { bodyHash, eventBatchInput, idempotencyKey, maxBatchEvents, toEnvelope } from '../src/events.js';

describe('batch validation', () => {
  const good = { type: 'order.created', data: { n: 1 } };

  it('accepts 1..500 valid events and reports every bad item by index', () => {
    expect(eventBatchInput.safeParse({ events: [good] }).success).toBe(true);
    expect(eventBatchInput.safeParse({ events: Array(maxBatchEvents).fill(good) }).success).toBe(true);
    expect(eventBatchInput.safeParse({ events: [] }).success).toBe(false);
    expect(eventBatchInput.safeParse({ events: Array(maxBatchEvents + 1).fill(good) }).success).toBe(false);
    const result = eventBatchInput.safeParse({ events: [good, { type: 'bad type!', data: {} }, good, { type: 'a.b' }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['events.1.type', 'events.3.data']);
  });

  it("refuses Hookline's own event types: only Hookline produces hookline.alert", () => {
    const result = eventBatchInput.safeParse({ events: [good, { type: 'hookline.alert', data: {} }] });
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'events.1.type: the "hookline." prefix is reserved for Hookline\'s own events',
    ]);
  });

  it('gives every event of a batch its own id and the same tenant', () => {
    const now = new Date();
    const envelopes = [good, good, { ...good, id: 'mine' }].map((e) => toEnvelope(e, 'ten_1', now));
    expect(new Set(envelopes.map((e) => e.id)).size).toBe(3);
    expect(envelopes[2]!.id).toBe('mine');
    expect(envelopes.every((e) => e.tenantId === 'ten_1' && e.timestamp === now.toISOString())).toBe(true);
  });
});

describe('Idempotency-Key', () => {
  it('must be 1-255 printable ASCII characters', () => {
    for (const ok of ['a', 'order-1234', 'x'.repeat(255), 'with space', '~!@#$%^&*()'])
      expect(idempotencyKey.safeParse(ok).success).toBe(true);
    for (const bad of ['', 'x'.repeat(256), 'tab\there', 'new\nline', 'é', ['a', 'b']])
      expect(idempotencyKey.safeParse(bad).success).toBe(false);
  });

  it('tells bodies apart by content', () => {
    expect(bodyHash({ type: 'a.b', data: { n: 1 } })).toBe(bodyHash({ type: 'a.b', data: { n: 1 } }));
    expect(bodyHash({ type: 'a.b', data: { n: 1 } })).not.toBe(bodyHash({ type: 'a.b', data: { n: 2 } }));
    expect(bodyHash({ type: 'a.b', data: { n: 1 } })).toMatch(/^[0-9a-f]{64}$/);
  });
});
