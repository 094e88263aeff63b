import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { WebhookVerificationFailed } from './errors.js';
import type { RequestHeaders } from './signing-scheme.js';

/**
 * Standard Webhooks' asymmetric signatures (`v1a`): Ed25519 over `<webhook-id>.<webhook-timestamp>.<body>`. The
 * sender keeps a `whsk_` secret key, the receiver holds only the `whpk_` public key, so a leaked receiver key
 * lets nobody forge a delivery.
 *
 * Keys: `whpk_` + base64 of the 32-byte public key; `whsk_` + base64 of the 64-byte secret key in libsodium's
 * layout (seed, then public key; a bare 32-byte seed is accepted too). An endpoint's `whsec_` secret also works as
 * a signing key: its Ed25519 seed is SHA-256 of a fixed label and the secret's bytes, so endpoints can switch
 * scheme and rotate with the secrets they already have, and the public key is derived for the receiver.
 */

const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiEd25519Prefix = Buffer.from('302a300506032b6570032100', 'hex');
const seedLabel = 'hookline ed25519 seed v1\0';

function seedOf(secret: string): Buffer {
  if (secret.startsWith('whsk_')) {
    const bytes = Buffer.from(secret.slice(5), 'base64');
    if (bytes.length !== 32 && bytes.length !== 64)
      throw new WebhookVerificationFailed('invalid_secret', 'a whsk_ key holds 32 or 64 bytes');
    return bytes.subarray(0, 32);
  }
  if (secret.startsWith('whsec_'))
    return createHash('sha256')
      .update(seedLabel)
      .update(Buffer.from(secret.slice(6), 'base64'))
      .digest();
  throw new WebhookVerificationFailed('invalid_secret', 'an Ed25519 signing key starts with whsk_ (or is a whsec_ secret)');
}

function privateKeyOf(secret: string): KeyObject {
  return createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seedOf(secret)]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(spkiEd25519Prefix.length);
}

/** The `whpk_` public key a receiver verifies with, for a `whsk_` key or a `whsec_` secret. */
export function ed25519PublicKey(secret: string): string {
  return `whpk_${rawPublicKey(privateKeyOf(secret)).toString('base64')}`;
}

/** A new key pair: `whsk_` (64 bytes, libsodium's layout) and its `whpk_`. */
export function generateEd25519KeyPair(): { secretKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(pkcs8Ed25519Prefix.length);
  const publicKey = rawPublicKey(privateKey);
  return { secretKey: `whsk_${Buffer.concat([seed, publicKey]).toString('base64')}`, publicKey: `whpk_${publicKey.toString('base64')}` };
}

/** Standard Webhooks headers with one `v1a,<signature>` per key (several during a rotation overlap). */
export function signEd25519(secrets: string[], msgId: string, timestamp: Date, body: string): Record<string, string> {
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const signed = Buffer.from(`${msgId}.${seconds}.${body}`);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': seconds,
    'webhook-signature': secrets.map((secret) => `v1a,${sign(null, signed, privateKeyOf(secret)).toString('base64')}`).join(' '),
  };
}

function publicKeyObject(key: string): KeyObject {
  if (key.startsWith('whpk_')) {
    const raw = Buffer.from(key.slice(5), 'base64');
    if (raw.length !== 32) throw new WebhookVerificationFailed('invalid_secret', 'a whpk_ key holds 32 bytes');
    return createPublicKey({ key: Buffer.concat([spkiEd25519Prefix, raw]), format: 'der', type: 'spki' });
  }
  return createPublicKey(privateKeyOf(key));
}

const header = (headers: RequestHeaders, name: string) => {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
};

/** The receiver's side: `key` is the `whpk_` public key (or the sender's key). Throws WebhookVerificationFailed. */
export function verifyEd25519(key: string, headers: RequestHeaders, body: string, toleranceSeconds = 300): void {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationFailed('missing_signature', 'missing webhook-id, -timestamp or -signature');
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) throw new WebhookVerificationFailed('missing_timestamp', 'webhook-timestamp is not a number');
  if (Math.abs(Date.now() / 1000 - seconds) > toleranceSeconds) {
    throw new WebhookVerificationFailed('timestamp_out_of_tolerance', 'webhook-timestamp is too old or too new');
  }
  const publicKey = publicKeyObject(key);
  const signed = Buffer.from(`${id}.${timestamp}.${body}`);
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1a' || !value) continue;
    const signature = Buffer.from(value, 'base64');
    if (signature.length === 64 && verify(null, signed, publicKey, signature)) return;
  }
  throw new WebhookVerificationFailed('signature_mismatch', 'no v1a signature matches the public key');
}
