import fc from 'fast-check';
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKey, generateEd25519KeyPair, signatureHeaders, verify, type WebhookVerificationFailed } from '../src/index.js';

/**
 * Standard Webhooks `v1a` (Ed25519) checked by an independent implementation, libsodium: it verifies what we
 * sign, and we verify what it signs, with keys in the `whsk_`/`whpk_` formats.
 */
const scheme = { kind: 'ed25519' } as const;

beforeAll(async () => {
  await sodium.ready;
});

const fromBase64 = (value: string) => new Uint8Array(Buffer.from(value, 'base64'));
const body = fc.string({ maxLength: 2000, unit: 'binary' });

/** The receiver's check with libsodium alone, as a subscriber following the specification would write it. */
function libsodiumAccepts(publicKey: string, headers: Record<string, string>, rawBody: string): boolean {
  const signed = new TextEncoder().encode(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${rawBody}`);
  return headers['webhook-signature']!.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    return version === 'v1a' && sodium.crypto_sign_verify_detached(fromBase64(signature!), signed, fromBase64(publicKey.slice(5)));
  });
}

describe('Ed25519 signatures (Standard Webhooks v1a)', () => {
  it('libsodium verifies what we sign, with generated whsk_ keys and with keys derived from whsec_ secrets', () => {
    fc.assert(
      fc.property(body, fc.uint8Array({ minLength: 24, maxLength: 32 }), (rawBody, bytes) => {
        const { secretKey, publicKey } = generateEd25519KeyPair();
        const whsec = `whsec_${Buffer.from(bytes).toString('base64')}`;
        for (const [key, pub] of [
          [secretKey, publicKey],
          [whsec, ed25519PublicKey(whsec)],
        ] as const) {
          const headers = signatureHeaders(scheme, [key], 'msg_1', new Date(), rawBody);
          expect(headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]+=*$/);
          expect(libsodiumAccepts(pub, headers, rawBody)).toBe(true);
          expect(libsodiumAccepts(pub, headers, `${rawBody}x`)).toBe(false);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('our receiver side verifies what libsodium signs, with libsodium-made whsk_/whpk_ keys', () => {
    const pair = sodium.crypto_sign_keypair();
    const secretKey = `whsk_${Buffer.from(pair.privateKey).toString('base64')}`;
    const publicKey = `whpk_${Buffer.from(pair.publicKey).toString('base64')}`;
    expect(ed25519PublicKey(secretKey)).toBe(publicKey);
    const seconds = String(Math.floor(Date.now() / 1000));
    const rawBody = '{"type":"order.paid","data":{"id":1}}';
    const signature = sodium.crypto_sign_detached(new TextEncoder().encode(`msg_2.${seconds}.${rawBody}`), pair.privateKey);
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': seconds,
      'webhook-signature': `v1a,${Buffer.from(signature).toString('base64')}`,
    };
    expect(() => verify(scheme, headers, rawBody, publicKey)).not.toThrow();
    // Our signature with the libsodium key is byte-identical (Ed25519 is deterministic).
    expect(signatureHeaders(scheme, [secretKey], 'msg_2', new Date(Number(seconds) * 1000), rawBody)['webhook-signature']).toBe(
      headers['webhook-signature'],
    );
  });

  it('signs with every key during a rotation overlap; each public key verifies alone', () => {
    const [old, next] = [generateEd25519KeyPair(), generateEd25519KeyPair()];
    const headers = signatureHeaders(scheme, [old.secretKey, next.secretKey], 'msg_3', new Date(), 'body');
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(libsodiumAccepts(old.publicKey, headers, 'body')).toBe(true);
    expect(libsodiumAccepts(next.publicKey, headers, 'body')).toBe(true);
    expect(() => verify(scheme, headers, 'body', next.publicKey)).not.toThrow();
  });

  it('refuses with a reason: another key, a tampered body, an old timestamp, an HMAC signature, a bad key', () => {
    const pair = generateEd25519KeyPair();
    const headers = signatureHeaders(scheme, [pair.secretKey], 'msg_4', new Date(), 'body');
    const reason = (fn: () => void) => {
      try {
        fn();
        return 'accepted';
      } catch (error) {
        return (error as WebhookVerificationFailed).reason;
      }
    };
    expect(reason(() => verify(scheme, headers, 'body', generateEd25519KeyPair().publicKey))).toBe('signature_mismatch');
    expect(reason(() => verify(scheme, headers, 'bodx', pair.publicKey))).toBe('signature_mismatch');
    const old = signatureHeaders(scheme, [pair.secretKey], 'msg_4', new Date(Date.now() - 3_600_000), 'body');
    expect(reason(() => verify(scheme, old, 'body', pair.publicKey))).toBe('timestamp_out_of_tolerance');
    const hmac = signatureHeaders({ kind: 'standard-webhooks' }, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_4', new Date(), 'body');
    expect(reason(() => verify(scheme, hmac, 'body', pair.publicKey))).toBe('signature_mismatch');
    expect(reason(() => verify(scheme, headers, 'body', 'whpk_AAAA'))).toBe('invalid_secret');
  });
});
