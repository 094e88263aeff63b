import { randomBytes } from 'node:crypto';
import { type EndpointRecord, endpointRecord } from '@hookline/core';
import { describe, expect, it, vi } from 'vitest';
import { EndpointSecrets, endpointsMissingKeys, isSealed, Keyring, maskedHeaders } from '../src/index.js';

const key = () => randomBytes(32).toString('base64');
const at = '2026-01-01T00:00:00.000Z';

/** An endpoint record as versions before sealing wrote it to `config`: plain secrets and header values. */
const previousShape = {
  kind: 'endpoint',
  id: 'ep_1',
  tenantId: 'ten_1',
  name: 'old',
  url: 'https://receiver.test/hook',
  events: ['*'],
  secrets: [{ secret: 'whsec_new' }, { secret: 'whsec_old', expiresAt: '2026-01-02T00:00:00.000Z' }],
  headers: { 'X-Api-Key': 'receiver-credential' },
  isActive: true,
  createdAt: at,
  updatedAt: at,
};

describe('EndpointSecrets', () => {
  const ring = Keyring.parse(`k1:${key()}`);
  const secrets = new EndpointSecrets(ring);

  it('reads records of the previous shape (plain values) as they are', () => {
    const endpoint = endpointRecord.parse(previousShape);
    expect(secrets.liveSecrets(endpoint, Date.parse(at))).toEqual(['whsec_new', 'whsec_old']);
    expect(secrets.liveSecrets(endpoint, Date.parse('2026-01-03T00:00:00.000Z'))).toEqual(['whsec_new']);
    expect(secrets.openHeaders(endpoint)).toEqual({ 'X-Api-Key': 'receiver-credential' });
  });

  it('seals plain values so the record holds none of them, and opens them again', () => {
    const sealed = secrets.sealPlain(endpointRecord.parse(previousShape));
    const text = JSON.stringify(sealed);
    for (const plain of ['whsec_new', 'whsec_old', 'receiver-credential']) expect(text).not.toContain(plain);
    expect(endpointRecord.parse(JSON.parse(text))).toEqual(sealed);
    expect(secrets.liveSecrets(sealed, Date.parse(at))).toEqual(['whsec_new', 'whsec_old']);
    expect(secrets.openHeaders(sealed)).toEqual({ 'X-Api-Key': 'receiver-credential' });
    // Sealed values are left as they are.
    expect(secrets.sealPlain(sealed)).toEqual(sealed);
  });

  it('binds each value to its endpoint and field', () => {
    const sealed = secrets.sealPlain(endpointRecord.parse(previousShape));
    const moved: EndpointRecord = { ...sealed, id: 'ep_2' };
    expect(() => secrets.liveSecrets(moved, Date.parse(at))).toThrow(/failed authentication/);
    const swapped: EndpointRecord = { ...sealed, headers: { 'X-Other': sealed.headers!['X-Api-Key']! } };
    expect(() => secrets.openHeaders(swapped)).toThrow(/failed authentication/);
    // Header names compare without case.
    const renamed: EndpointRecord = { ...sealed, headers: { 'x-api-key': sealed.headers!['X-Api-Key']! } };
    expect(secrets.openHeaders(renamed)).toEqual({ 'x-api-key': 'receiver-credential' });
  });

  it('opens each sealed value once, and never hands a value opened for one endpoint or field to another', () => {
    const counting = Keyring.parse(`k1:${key()}`);
    const opens = vi.spyOn(counting, 'open');
    const sealing = new EndpointSecrets(counting);
    const sealed = sealing.sealPlain(endpointRecord.parse(previousShape));
    for (let i = 0; i < 3; i++) {
      expect(sealing.liveSecrets(sealed, Date.parse(at))).toEqual(['whsec_new', 'whsec_old']);
      expect(sealing.openHeaders(sealed)).toEqual({ 'X-Api-Key': 'receiver-credential' });
    }
    expect(opens).toHaveBeenCalledTimes(3);
    // The same sealed objects, already opened, in a record of another endpoint or under another header name.
    expect(() => sealing.liveSecrets({ ...sealed, id: 'ep_2' }, Date.parse(at))).toThrow(/failed authentication/);
    const swapped: EndpointRecord = { ...sealed, headers: { 'X-Other': sealed.headers!['X-Api-Key']! } };
    expect(() => sealing.openHeaders(swapped)).toThrow(/failed authentication/);
  });

  it('re-seals plain values and values of other keys with the sealing key, and leaves current records alone', () => {
    const oldKey = `k0:${key()}`;
    const underOld = new EndpointSecrets(Keyring.parse(oldKey)).sealPlain(endpointRecord.parse(previousShape));
    const both = new EndpointSecrets(Keyring.parse(`k1:${key()}`));
    expect(() => both.reseal(underOld)).toThrow(/not in this service's keyring/);

    const rotated = new EndpointSecrets(Keyring.parse(`k2:${key()},${oldKey}`));
    const resealed = rotated.reseal(underOld)!;
    expect(
      [...resealed.secrets.map((s) => s.secret), ...Object.values(resealed.headers!)].every((v) => isSealed(v) && v.kid === 'k2'),
    ).toBe(true);
    expect(rotated.liveSecrets(resealed, Date.parse(at))).toEqual(['whsec_new', 'whsec_old']);
    expect(rotated.reseal(resealed)).toBeUndefined();
    const fromPlain = rotated.reseal(endpointRecord.parse(previousShape))!;
    expect(rotated.openHeaders(fromPlain)).toEqual({ 'X-Api-Key': 'receiver-credential' });
  });

  it('names the keys a record needs that a keyring lacks', () => {
    const oldKey = `k0:${key()}`;
    const underOld = new EndpointSecrets(Keyring.parse(oldKey)).sealPlain(endpointRecord.parse(previousShape));
    const plain = endpointRecord.parse(previousShape);
    expect(endpointsMissingKeys([underOld, plain], Keyring.parse(`k1:${key()}`))).toEqual([{ endpointId: 'ep_1', missing: ['k0'] }]);
    expect(endpointsMissingKeys([underOld, plain], Keyring.parse(`k1:${key()},${oldKey}`))).toEqual([]);
  });

  it('masks every header value', () => {
    expect(maskedHeaders({ A: 'x', B: { sealed: 'aes-256-gcm', kid: 'k', iv: '', ct: '' } })).toEqual({ A: '********', B: '********' });
  });
});
