import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { SealedValue } from '@hookline/core';

const algorithm = 'aes-256-gcm';
const keyBytes = 32;
const nonceBytes = 12;
const tagBytes = 16;

/** The keyring text is not usable (a key of the wrong size, a duplicate id, no key at all). */
export class InvalidKeyring extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeyring';
  }
}

/**
 * A sealed value this process cannot open: its key is not in the keyring, or the value (or the context it was
 * sealed for) was altered. `code` lets request-failure classification treat it like any other error code.
 */
export class SealedValueUnreadable extends Error {
  readonly code = 'ESECRETUNAVAILABLE';
  constructor(
    readonly reason: 'unknown_key' | 'not_authentic',
    readonly kid: string,
  ) {
    super(
      reason === 'unknown_key'
        ? `a secret is sealed with key "${kid}", which is not in this service's keyring (HOOKLINE_SECRETS_KEY)`
        : `a secret sealed with key "${kid}" failed authentication (altered, or sealed for another endpoint)`,
    );
    this.name = 'SealedValueUnreadable';
  }
}

/**
 * AES-256-GCM keys by id. The first key seals; every key opens, so a key is rotated by putting the new key first,
 * re-sealing (docs/secrets.md), then dropping the old one. Each value gets a random 96-bit nonce; `context` is
 * bound as additional authenticated data, so a sealed value copied to another field or endpoint does not open.
 */
export class Keyring {
  private constructor(private readonly keys: Map<string, KeyObject>) {}

  /**
   * Parses `[<id>:]<base64 of 32 bytes>` entries separated by commas or white space, the sealing key first.
   * An entry without an id gets one from its key's SHA-256 (`k` + 8 hex digits), so ids never need to be made up.
   */
  static parse(text: string): Keyring {
    const keys = new Map<string, KeyObject>();
    const entries = text.split(/[\s,]+/).filter(Boolean);
    if (entries.length === 0) throw new InvalidKeyring('no key given');
    for (const [index, entry] of entries.entries()) {
      const colon = entry.indexOf(':');
      const encoded = colon < 0 ? entry : entry.slice(colon + 1);
      const bytes = Buffer.from(encoded, 'base64');
      if (bytes.length !== keyBytes || !/^[A-Za-z0-9+/_-]+=*$/.test(encoded)) {
        throw new InvalidKeyring(`key ${index + 1} is not ${keyBytes} bytes of base64 (openssl rand -base64 ${keyBytes})`);
      }
      const kid = colon < 0 ? fingerprint(bytes) : entry.slice(0, colon);
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid)) throw new InvalidKeyring(`key id "${kid}" must be 1-64 letters, digits, ".", "_" or "-"`);
      if (keys.has(kid)) throw new InvalidKeyring(`key id "${kid}" is listed twice`);
      keys.set(kid, createSecretKey(bytes));
    }
    return new Keyring(keys);
  }

  /** A new random key as a keyring entry (`<id>:<base64>`), e.g. for a development key. */
  static generateEntry(): string {
    const bytes = randomBytes(keyBytes);
    return `${fingerprint(bytes)}:${bytes.toString('base64')}`;
  }

  /** The id of the key that seals. */
  get sealingKeyId(): string {
    return this.keys.keys().next().value as string;
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  seal(plaintext: string, context: string): SealedValue {
    const kid = this.sealingKeyId;
    const iv = randomBytes(nonceBytes);
    const cipher = createCipheriv(algorithm, this.keys.get(kid)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { sealed: algorithm, kid, iv: iv.toString('base64url'), ct: ciphertext.toString('base64url') };
  }

  /** The plaintext of `value`; throws `SealedValueUnreadable` when the key is missing or the value is not authentic. */
  open(value: SealedValue, context: string): string {
    const key = this.keys.get(value.kid);
    if (!key) throw new SealedValueUnreadable('unknown_key', value.kid);
    const data = Buffer.from(value.ct, 'base64url');
    try {
      const decipher = createDecipheriv(algorithm, key, Buffer.from(value.iv, 'base64url'), { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - tagBytes)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueUnreadable('not_authentic', value.kid);
    }
  }
}

function fingerprint(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}
