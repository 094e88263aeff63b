import { describe, expect, it } from 'vitest';
import { EventDecoder } from '../src/decode.js';

describe('EventDecoder', () => {
  const decoder = new EventDecoder(undefined);

  it('reads JSON envelopes and gives reasons for unreadable records', async () => {
    const event = { id: 'evt_1', type: 'a.b', tenantId: 'tn_1', timestamp: '2026-01-01T00:00:00Z', data: { x: 1 } };
    expect(await decoder.parse(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, value: event });
    expect(await decoder.parse(null)).toEqual({ ok: false, reason: 'empty record' });
    expect(await decoder.parse(Buffer.from('{nope'))).toEqual({ ok: false, reason: 'not JSON' });
  });

  it('rejects Confluent-framed records when no registry is configured', async () => {
    const framed = Buffer.from([0, 0, 0, 0, 7, 1, 2, 3]);
    expect(await decoder.parse(framed)).toEqual({ ok: false, reason: 'no schema registry configured' });
  });
});
