import { readFileSync } from 'node:fs';
import { endpointRecord } from '@hookline/core';
import { signingSchemeNames } from '@hookline/signing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deliveryProfiles,
  deliverySettingsShape,
  payloadFormatNames,
  profileNames,
  resolvePolicy,
  UnknownDeliverySetting,
  UnknownRetryTier,
  validateProfiles,
  validateSchedule,
} from '../src/index.js';
import { endpoint } from './fixtures.js';

const defaultTiers = ['0s', '5s', '30s', '1m', '5m', '30m', '1h', '2h', '5h', '10h'];

describe('resolvePolicy', () => {
  it('applies endpoint overrides on top of the profile', () => {
    expect(resolvePolicy(endpoint())).toMatchObject({ payloadFormat: 'standard', signature: { kind: 'standard-webhooks' } });
    expect(resolvePolicy(endpoint({ profile: 'taskapp' }))).toMatchObject({
      disableAfterConsecutiveFailures: 3,
      retryTiers: ['1m', '5m', '30m'],
    });
    expect(resolvePolicy(endpoint({ signatureHeaderName: 'x-thig-sig' })).signature).toEqual({
      kind: 'hmac-sha256-hex',
      headerName: 'x-thig-sig',
    });
    expect(resolvePolicy(endpoint({ profile: 'twig', signatureHeaderName: 'x-other' })).signature).toEqual({
      kind: 'hmac-sha256-hex',
      headerName: 'x-other',
    });
    expect(resolvePolicy(endpoint({ profile: 'threadhound', retrySchedule: ['5s'], disableAfterConsecutiveFailures: null }))).toMatchObject(
      { retryDelaysMs: [5000], disableAfterConsecutiveFailures: null },
    );
  });

  it('refuses names no registry has, with a typed error', () => {
    expect(() => resolvePolicy(endpoint({ profile: 'gone' }))).toThrow(UnknownDeliverySetting);
    expect(() => resolvePolicy(endpoint({ payloadFormat: 'xml' }))).toThrow(UnknownDeliverySetting);
    expect(() => resolvePolicy(endpoint({ signature: { kind: 'rot13' } }))).toThrow(UnknownDeliverySetting);
  });
});

describe('validateProfiles and validateSchedule', () => {
  it('accepts the profiles with the default tiers', () => {
    expect(() => validateProfiles(defaultTiers)).not.toThrow();
  });

  it('refuses at start when a profile uses a tier that does not exist', () => {
    const error = (() => {
      try {
        validateProfiles(defaultTiers.filter((t) => t !== '10h'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownRetryTier);
    expect(error).toMatchObject({ where: 'profile standard', unknown: ['10h'] });
  });

  it('checks an endpoint schedule the same way', () => {
    expect(() => validateSchedule(['5s', '7s'], defaultTiers)).toThrow(/unknown tiers 7s/);
    expect(() => validateSchedule(undefined, defaultTiers)).not.toThrow();
  });
});

describe('delivery settings', () => {
  it('validate profile, payload format and signature against the registries at the edge', () => {
    const input = z.object(deliverySettingsShape());
    expect(
      input.safeParse({ profile: 'twig', payloadFormat: 'taskapp', signature: { kind: 'hmac-sha256-hex', prefix: 'sha256=' } }).success,
    ).toBe(true);
    expect(input.safeParse({ profile: 'nope' }).success).toBe(false);
    expect(input.safeParse({ payloadFormat: 'xml' }).success).toBe(false);
    expect(input.safeParse({ signature: { kind: 'rot13' } }).success).toBe(false);
  });

  it('document the registries in the admin API (the OpenAPI enums come from these schemas)', () => {
    const schema = z.toJSONSchema(z.object(deliverySettingsShape()), { io: 'input' }) as {
      properties: Record<string, { enum?: string[]; oneOf?: { properties: { kind: { const: string } } }[] }>;
    };
    expect(schema.properties.profile!.enum).toEqual(profileNames);
    expect(schema.properties.payloadFormat!.enum).toEqual(payloadFormatNames);
    expect(schema.properties.signature!.oneOf!.map((variant) => variant.properties.kind.const)).toEqual(signingSchemeNames);
  });

  it('still parses an endpoint record written by the previous version', () => {
    const previous = {
      kind: 'endpoint',
      id: 'ep_1',
      tenantId: 'ten_1',
      name: 'n',
      url: 'https://127.0.0.2/hook',
      events: ['*'],
      secrets: [{ secret: 'whsec_x' }],
      profile: 'taskapp',
      signature: { kind: 'hmac-sha256-hex', headerName: 'x-webhook-signature', prefix: 'sha256=', idAndTimestampHeaders: true },
      payloadFormat: 'taskapp',
      retrySchedule: ['1m'],
      disableAfterConsecutiveFailures: null,
      isActive: true,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const record = endpointRecord.parse(previous);
    expect(record).toEqual(previous);
    expect(resolvePolicy(record)).toMatchObject({ payloadFormat: 'taskapp', signature: previous.signature, retryTiers: ['1m'] });
  });
});

describe('the README', () => {
  it("names every registered profile in the table of 'Delivery behaviour per endpoint'", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.split('### Delivery behaviour per endpoint')[1]?.split('\n#')[0] ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const named = rows.map((row) => /^\| `([^`]+)`/.exec(row)![1]);
    expect(named.sort()).toEqual([...profileNames].sort());
    expect(Object.keys(deliveryProfiles)).toEqual(profileNames);
  });
});
