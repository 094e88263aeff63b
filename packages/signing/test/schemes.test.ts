import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  type SignatureScheme,
  signatureHeaders,
  signatureSchemeSchema,
  signingSchemeNames,
  UnknownSigningScheme,
  verify,
  WebhookVerificationFailed,
} from '../src/index.js';

const schemes: SignatureScheme[] = [
  { kind: 'standard-webhooks' },
  { kind: 'ed25519' },
  { kind: 'hmac-sha256-hex' },
  { kind: 'hmac-sha256-hex', headerName: 'x-twig-signature' },
  { kind: 'hmac-sha256-hex', headerName: 'x-webhook-signature', prefix: 'sha256=', idAndTimestampHeaders: true },
];

const secret = fc.uint8Array({ minLength: 16, maxLength: 48 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const body = fc.string({ maxLength: 2000, unit: 'binary' });

function reason(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof WebhookVerificationFailed ? error.reason : String(error);
  }
}

describe.each(schemes)('scheme %o', (scheme) => {
  it('round-trips: what we sign, we verify', () => {
    fc.assert(
      fc.property(secret, body, (s, b) => {
        const headers = signatureHeaders(scheme, [s], 'msg_1', new Date(), b);
        expect(reason(() => verify(scheme, headers, b, s))).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('fails when any byte of the body changes, or with another secret', () => {
    fc.assert(
      fc.property(
        secret,
        body.filter((b) => b.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 0xff }),
        (s, b, at, flip) => {
          const headers = signatureHeaders(scheme, [s], 'msg_1', new Date(), b);
          const bytes = Buffer.from(b, 'utf8');
          const i = at % bytes.length;
          bytes[i] = bytes[i]! ^ flip;
          const changed = bytes.toString('utf8');
          fc.pre(changed !== b);
          expect(reason(() => verify(scheme, headers, changed, s))).toBe('signature_mismatch');
          expect(reason(() => verify(scheme, headers, b, generateSecret()))).toBe('signature_mismatch');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts either secret during a rotation overlap', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders(scheme, [newSecret, oldSecret], 'msg_1', new Date(), '{"a":1}');
    expect(reason(() => verify(scheme, headers, '{"a":1}', oldSecret))).toBeUndefined();
    expect(reason(() => verify(scheme, headers, '{"a":1}', newSecret))).toBeUndefined();
  });
});

describe('Standard Webhooks interoperability', () => {
  it('the official package verifies ours, and we verify the official package', () => {
    // The official verify() also parses the body, so the bodies here are JSON, as deliveries are.
    fc.assert(
      fc.property(secret, fc.json(), (s, b) => {
        const ours = signatureHeaders({ kind: 'standard-webhooks' }, [s], 'msg_x', new Date(), b);
        expect(() => new Webhook(s).verify(b, ours)).not.toThrow();
        const now = new Date();
        const theirs = {
          'webhook-id': 'msg_y',
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(s).sign('msg_y', now, b),
        };
        expect(reason(() => verify({ kind: 'standard-webhooks' }, theirs, b, s))).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a stale timestamp (replay protection)', () => {
    const s = generateSecret();
    const old = new Date(Date.now() - 10 * 60_000);
    const headers = signatureHeaders({ kind: 'standard-webhooks' }, [s], 'msg_1', old, '{}');
    expect(reason(() => verify({ kind: 'standard-webhooks' }, headers, '{}', s))).toBe('timestamp_out_of_tolerance');
    const hex: SignatureScheme = { kind: 'hmac-sha256-hex', idAndTimestampHeaders: true };
    const hexHeaders = signatureHeaders(hex, [s], 'msg_1', old, '{}');
    expect(reason(() => verify(hex, hexHeaders, '{}', s))).toBe('timestamp_out_of_tolerance');
  });

  it('names a missing signature', () => {
    expect(reason(() => verify({ kind: 'hmac-sha256-hex' }, {}, '{}', 'k'))).toBe('missing_signature');
    expect(reason(() => verify({ kind: 'standard-webhooks' }, {}, '{}', generateSecret()))).toBe('missing_signature');
  });
});

describe('the signing registry', () => {
  it('validates an endpoint signature setting for every registered scheme, and nothing else', () => {
    expect(signingSchemeNames).toEqual(['ed25519', 'standard-webhooks', 'hmac-sha256-hex', 'none']);
    expect(signatureSchemeSchema.parse({ kind: 'hmac-sha256-hex', headerName: 'x-twig-signature' })).toEqual({
      kind: 'hmac-sha256-hex',
      headerName: 'x-twig-signature',
    });
    expect(signatureSchemeSchema.parse({ kind: 'standard-webhooks', extra: 1 })).toEqual({ kind: 'standard-webhooks' });
    expect(signatureSchemeSchema.safeParse({ kind: 'rot13' }).success).toBe(false);
    expect(signatureSchemeSchema.safeParse({ kind: 'hmac-sha256-hex', headerName: 'bad header' }).success).toBe(false);
  });

  it('refuses to sign with a scheme that is not registered', () => {
    expect(() => signatureHeaders({ kind: 'rot13' } as unknown as SignatureScheme, ['s'], 'm', new Date(), '{}')).toThrow(
      UnknownSigningScheme,
    );
  });
});
