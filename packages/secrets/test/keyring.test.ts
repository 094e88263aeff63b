import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidKeyring, Keyring, keyringFromEnv, SealedValueUnreadable } from '../src/index.js';

const key = () => randomBytes(32).toString('base64');

describe('Keyring', () => {
  it('seals with the first key and opens with any listed key', () => {
    const [a, b] = [key(), key()];
    const old = Keyring.parse(`old:${a}`);
    const sealed = old.seal('whsec_abc', 'ctx');
    expect(sealed).toMatchObject({ sealed: 'aes-256-gcm', kid: 'old' });
    expect(JSON.stringify(sealed)).not.toContain('whsec_abc');

    const rotated = Keyring.parse(`new:${b}, old:${a}`);
    expect(rotated.sealingKeyId).toBe('new');
    expect(rotated.open(sealed, 'ctx')).toBe('whsec_abc');
    expect(rotated.seal('x', 'ctx').kid).toBe('new');
  });

  it('uses a fresh nonce per value', () => {
    const ring = Keyring.parse(key());
    expect(ring.seal('same', 'ctx').ct).not.toBe(ring.seal('same', 'ctx').ct);
  });

  it('refuses a value whose key is unknown, that was altered, or that is opened for another context', () => {
    const ring = Keyring.parse(`k1:${key()}`);
    const sealed = ring.seal('value', 'endpoint-a');
    const other = Keyring.parse(`k2:${key()}`);
    expect(() => other.open(sealed, 'endpoint-a')).toThrow(SealedValueUnreadable);
    expect(() => ring.open(sealed, 'endpoint-b')).toThrow(/failed authentication/);
    const flipped = Buffer.from(sealed.ct, 'base64url');
    flipped[0]! ^= 1;
    expect(() => ring.open({ ...sealed, ct: flipped.toString('base64url') }, 'endpoint-a')).toThrow(SealedValueUnreadable);
    expect(() => ring.open({ ...sealed, ct: 'AA' }, 'endpoint-a')).toThrow(SealedValueUnreadable);
  });

  it('names an unnamed key by its fingerprint and generates entries it can parse', () => {
    const bytes = key();
    expect(Keyring.parse(bytes).sealingKeyId).toMatch(/^k[0-9a-f]{8}$/);
    expect(Keyring.parse(bytes).sealingKeyId).toBe(Keyring.parse(bytes).sealingKeyId);
    const entry = Keyring.generateEntry();
    expect(Keyring.parse(entry).sealingKeyId).toBe(entry.split(':')[0]);
  });

  it('refuses keys of the wrong size, duplicate ids and an empty keyring', () => {
    expect(() => Keyring.parse('')).toThrow(InvalidKeyring);
    expect(() => Keyring.parse(`k:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => Keyring.parse(`k:${key()},k:${key()}`)).toThrow(/twice/);
    expect(() => Keyring.parse(`bad id:${key()}`)).toThrow(InvalidKeyring);
  });

  it('reads the keyring from the variable or a file, one of them required', () => {
    const entry = `k1:${key()}`;
    expect(keyringFromEnv({ HOOKLINE_SECRETS_KEY: entry }).sealingKeyId).toBe('k1');
    const file = join(mkdtempSync(join(tmpdir(), 'keyring-')), 'keys');
    writeFileSync(file, `k2:${key()}\n${entry}\n`);
    expect(keyringFromEnv({ HOOKLINE_SECRETS_KEY_FILE: file }).sealingKeyId).toBe('k2');
    expect(() => keyringFromEnv({})).toThrow(/HOOKLINE_SECRETS_KEY/);
    expect(() => keyringFromEnv({ HOOKLINE_SECRETS_KEY: entry, HOOKLINE_SECRETS_KEY_FILE: file })).toThrow(/not both/);
  });
});
