import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, signStandardWebhooks, verifyStandardWebhooks } from '../src/index.js';

describe('Standard Webhooks signing', () => {
  it('produces headers the official package verifies, with every secret of a rotation', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const body = JSON.stringify({ type: 'a.b', data: { x: 1 } });
    const headers = signStandardWebhooks([oldSecret, newSecret], 'msg_1', new Date(), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(verifyStandardWebhooks(newSecret, headers, body)).toEqual(JSON.parse(body));
  });

  it('rejects a changed body or another secret', () => {
    const secret = generateSecret();
    const headers = signStandardWebhooks([secret], 'msg_1', new Date(), '{"a":1}');
    expect(() => verifyStandardWebhooks(secret, headers, '{"a":2}')).toThrow();
    expect(() => verifyStandardWebhooks(generateSecret(), headers, '{"a":1}')).toThrow();
  });
});
