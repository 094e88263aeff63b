import { ApiError } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import {
  applyEndpointChanges,
  checkSettingsCombination,
  createEndpointInput,
  isOwnIngest,
  mergeHeaders,
  updateEndpointInput,
} from '../src/routes/webhook-input.js';

describe('webhook input', () => {
  it('refuses URLs that are not http(s) URLs with a host, without throwing', () => {
    for (const url of ['not a url', 'http://', 'http://[::1', '', 'ftp://files.test/x', 'javascript:alert(1)']) {
      expect(updateEndpointInput.safeParse({ url }).success, url).toBe(false);
    }
    expect(updateEndpointInput.safeParse({ url: 'https://receiver.test/hooks?x=1' }).success).toBe(true);
  });

  it('refuses Host, hop-by-hop and Proxy-* header names in any case, and a name given twice', () => {
    const base = { name: 'e', url: 'https://receiver.test', events: ['*'] };
    for (const name of [
      'host',
      'HOST',
      'Connection',
      'keep-alive',
      'Transfer-Encoding',
      'te',
      'Trailer',
      'upgrade',
      'Proxy-Connection',
      'content-length',
    ]) {
      expect(createEndpointInput.safeParse({ ...base, headers: { [name]: 'x' } }).success, name).toBe(false);
    }
    expect(createEndpointInput.safeParse({ ...base, headers: { 'X-A': '1', 'x-a': '2' } }).success).toBe(false);
    expect(createEndpointInput.safeParse({ ...base, headers: { Authorization: 'Bearer x', 'X-Trace': 'y' } }).success).toBe(true);
  });

  it('keeps the stored value for a masked header value, whatever the case of its name', () => {
    const stored = { 'X-Key': { sealed: 'aes-256-gcm' as const, kid: 'k', iv: 'i', ct: 'c' } };
    expect(mergeHeaders({ 'x-key': '********', 'X-New': 'v' }, stored)).toEqual({ 'x-key': stored['X-Key'], 'X-New': 'v' });
    expect(() => mergeHeaders({ 'X-Other': '********' }, stored)).toThrow(ApiError);
  });

  it("recognizes Hookline's own ingest by host, and loopback origins by port", () => {
    const origins = [new URL('http://127.0.0.1:8100'), new URL('https://hooks.hookline.test')];
    for (const url of [
      'http://127.0.0.1:8100/v1/events',
      'http://localhost:8100/',
      'http://LOCALHOST.:8100/',
      'http://[::1]:8100/',
      'http://0.0.0.0:8100/',
      'http://127.1.2.3:8100/',
      'http://2130706433:8100/',
      'http://[::ffff:127.0.0.1]:8100/',
      'https://hooks.hookline.test/api/webhooks/incoming/t',
      'http://hooks.hookline.test:8080/',
    ]) {
      expect(isOwnIngest(url, origins), url).toBe(true);
    }
    for (const url of ['http://127.0.0.1:8600/webhooks', 'https://receiver.test/', 'https://sub.hooks.hookline.test/']) {
      expect(isOwnIngest(url, origins), url).toBe(false);
    }
  });

  it('clears a setting given as null in a PATCH, so the default applies again; other nulls are refused', () => {
    const stored = { id: 'ep', ordering: 'strict', orderingKey: 'data.orderId', timeoutMs: 5_000, name: 'n' };
    const changes = updateEndpointInput.parse({ orderingKey: null, timeoutMs: null, name: 'm' });
    expect(applyEndpointChanges(stored, changes)).toEqual({ id: 'ep', ordering: 'strict', name: 'm' });
    expect(updateEndpointInput.safeParse({ name: null }).success).toBe(false);
    expect(updateEndpointInput.safeParse({ url: null }).success).toBe(false);
  });

  it('refuses a circuit breaker on a strictly ordered endpoint, and allows turning it off there', () => {
    expect(() => checkSettingsCombination({ ordering: 'strict', circuitBreaker: {} })).toThrow(ApiError);
    expect(() => checkSettingsCombination({ ordering: 'strict', circuitBreaker: null })).not.toThrow();
    expect(() => checkSettingsCombination({ ordering: 'none', circuitBreaker: {} })).not.toThrow();
  });
});
