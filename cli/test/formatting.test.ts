import { describe, expect, it } from 'vitest';
import { timeOption } from '../src/commands/replay.js';
import { attemptLine } from '../src/commands/tail.js';
import { formatDelivery } from '../src/delivery-format.js';
import { table } from '../src/output.js';

describe('listen output', () => {
  const delivery = {
    receivedAt: new Date('2026-11-23T10:00:00.000Z'),
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-signature': 'v1,abc', 'accept-encoding': 'gzip' },
    body: '{"event":"invoice.paid","data":{"id":"in_1"}}',
    verdict: { valid: true as const, scheme: { kind: 'standard-webhooks' as const } },
    response: { status: 200, durationMs: 3 },
  };

  it('shows the title, the verdict, the webhook headers and the pretty body', () => {
    const text = formatDelivery(delivery);
    expect(text.split('\n').slice(0, 5)).toEqual([
      '── 2026-11-23T10:00:00.000Z  POST /  invoice.paid  msg_1',
      'signature verified (standard-webhooks)',
      'content-type: application/json',
      'webhook-id: msg_1',
      'webhook-signature: v1,abc',
    ]);
    expect(text).toContain('{\n  "event": "invoice.paid",\n  "data": {\n    "id": "in_1"\n  }\n}');
    expect(text).not.toContain('accept-encoding');
    expect(formatDelivery(delivery, { allHeaders: true })).toContain('accept-encoding: gzip');
    expect(text).toContain('→ answered 200');
  });

  it('says why a signature did not verify, or that it was not checked, and shows forwarding', () => {
    const invalid = {
      ...delivery,
      verdict: { valid: false as const, scheme: delivery.verdict.scheme, reason: 'signature_mismatch', message: 'no match' },
    };
    expect(formatDelivery(invalid)).toContain('signature INVALID: signature_mismatch: no match');
    const { verdict: _none, ...unchecked } = delivery;
    expect(
      formatDelivery({
        ...unchecked,
        body: 'plain text',
        response: { status: 502, durationMs: 9, forwardedTo: 'http://localhost:3000/h', error: 'cannot forward' },
      }),
    ).toMatch(/signature not checked[\s\S]*plain text\n→ answered 502 from http:\/\/localhost:3000\/h in 9 ms \(cannot forward\)/);
  });
});

describe('tail lines', () => {
  it('has time, endpoint, event type, webhook-id, status, duration and outcome', () => {
    const base = {
      id: 'msg_1.2',
      deliveryId: 'msg_1',
      eventId: 'evt_1',
      eventType: 'a.b',
      endpointId: 'ep_1',
      endpointName: 'crm',
      startedAt: '2026-11-23T10:00:00.000Z',
      durationMs: 12.4,
    };
    expect(attemptLine({ ...base, attempt: 1, outcome: 'success', status: 'success', statusCode: 200, error: null })).toBe(
      '2026-11-23T10:00:00.000Z  crm (ep_1)  a.b  msg_1  200  12 ms  success',
    );
    expect(
      attemptLine({ ...base, endpointName: null, attempt: 2, outcome: 'failure', status: 'retrying', statusCode: null, error: 'timeout' }),
    ).toBe('2026-11-23T10:00:00.000Z  ep_1  a.b  msg_1  ---  12 ms  failure, will retry attempt 2  timeout');
  });
});

describe('options', () => {
  it('takes replay times as ISO or as a duration ago', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(timeOption('2h', '--from', now)).toBe('2026-11-23T10:00:00.000Z');
    expect(timeOption('2026-11-23T11:30:00+01:00', '--from', now)).toBe('2026-11-23T10:30:00.000Z');
    expect(() => timeOption('yesterday', '--from', now)).toThrow(/--from: give an ISO time/);
  });

  it('aligns table columns', () => {
    expect(
      table(
        ['ID', 'NAME'],
        [
          ['ep_1', 'a'],
          ['ep_long', 'b'],
        ],
      ),
    ).toBe('ID       NAME\nep_1     a\nep_long  b');
  });
});
