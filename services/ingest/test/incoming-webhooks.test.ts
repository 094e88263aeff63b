import { ConfigState, deliveryIdFor, type IncomingHookRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { formToData, ownDeliveryMark, verificationChallenge } from '../src/incoming-webhooks.js';

describe('form body to event data', () => {
  it('is a flat object of strings; of a repeated field the last value wins', () => {
    expect(formToData({ a: '1', b: ['x', 'y'], 'c[d]': 'e', empty: '' })).toEqual({ a: '1', b: 'y', 'c[d]': 'e', empty: '' });
  });

  it('cannot touch the prototype', () => {
    const data = formToData(JSON.parse('{"__proto__": "x", "constructor": "y"}'));
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data).sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe('Slack-style url_verification', () => {
  it('answers only a url_verification body with a string challenge', () => {
    expect(verificationChallenge({ type: 'url_verification', challenge: 'abc', token: 't' })).toBe('abc');
    expect(verificationChallenge({ type: 'event_callback', challenge: 'abc' })).toBeUndefined();
    expect(verificationChallenge({ type: 'url_verification', challenge: 3 })).toBeUndefined();
    expect(verificationChallenge([{ type: 'url_verification', challenge: 'abc' }])).toBeUndefined();
    expect(verificationChallenge(null)).toBeUndefined();
  });
});

describe('ConfigState incoming hooks', () => {
  const hook = (id: string, tokenHash: string): IncomingHookRecord => ({
    kind: 'incomingHook',
    id,
    tenantId: 'ten_1',
    name: id,
    eventType: 'form.submitted',
    tokenHash,
    createdAt: '',
    updatedAt: '',
  });

  it('indexes hooks by token hash, follows updates and forgets them on a tombstone', () => {
    const state = new ConfigState();
    state.apply('incomingHook:a', hook('a', 'h1'));
    state.apply('incomingHook:b', hook('b', 'h2'));
    expect(state.incomingHooksByTokenHash.get('h1')?.id).toBe('a');
    state.apply('incomingHook:a', hook('a', 'h3'));
    expect(state.incomingHooksByTokenHash.has('h1')).toBe(false);
    expect(state.incomingHooksByTokenHash.get('h3')?.id).toBe('a');
    state.apply('incomingHook:a', null);
    expect(state.incomingHooksByTokenHash.has('h3')).toBe(false);
    expect(state.incomingHookById('a')).toBeUndefined();
    expect([...state.incomingHooksOf('ten_1')].map((h) => h.id)).toEqual(['b']);
  });
});

describe('ownDeliveryMark (the loop guard)', () => {
  it("recognizes Hookline's delivery ids in each header that carries them, and its user agent", () => {
    const id = deliveryIdFor('evt_1', 'ep_1');
    expect(ownDeliveryMark({ 'webhook-id': id })).toBe('its webhook-id header is a Hookline delivery id');
    expect(ownDeliveryMark({ 'x-webhook-id': id })).toMatch(/x-webhook-id/);
    expect(ownDeliveryMark({ 'x-webhook-delivery-id': id })).toMatch(/x-webhook-delivery-id/);
    expect(ownDeliveryMark({ 'user-agent': 'Hookline/0.1' })).toBe("its user agent is Hookline's");
  });

  it("leaves other senders' calls alone", () => {
    expect(ownDeliveryMark({})).toBeUndefined();
    expect(ownDeliveryMark({ 'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 'user-agent': 'Svix-Webhooks/1.0' })).toBeUndefined();
    expect(ownDeliveryMark({ 'webhook-id': `msg_${deliveryIdFor('evt_1', 'ep_1').slice(4).toUpperCase()}` })).toBeUndefined();
  });
});
