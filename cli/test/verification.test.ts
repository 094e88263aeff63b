import { generateSecret, signatureHeaders } from '@hookline/signing';
import { describe, expect, it } from 'vitest';
import { parseRawRequest } from '../src/raw-request.js';
import { schemeFor, verifyRequest } from '../src/verification.js';

const secret = generateSecret();
const body = '{"type":"project.created","timestamp":"2026-11-23T10:00:00.000Z","data":{"id":"p_1"}}';

/** A raw request as a receiver would have logged it. */
function rawRequest(headers: Record<string, string>, requestBody = body): string {
  return [
    'POST /hooks HTTP/1.1',
    'Content-Type: application/json',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    requestBody,
  ].join('\r\n');
}

function check(raw: string, options = {}, key = secret) {
  const request = parseRawRequest(raw);
  return verifyRequest(request.headers, request.body, key, schemeFor(options, request.headers));
}

describe('verify outcomes', () => {
  const standard = signatureHeaders({ kind: 'standard-webhooks' }, [secret], 'msg_1', new Date(), body);

  it('accepts a Standard Webhooks request (scheme guessed from the headers)', () => {
    expect(check(rawRequest(standard))).toEqual({ valid: true, scheme: { kind: 'standard-webhooks' } });
  });

  it('refuses a tampered body, a wrong secret, a missing signature and a stale timestamp, with the reason', () => {
    expect(check(rawRequest(standard, body.replace('p_1', 'p_2')))).toMatchObject({ valid: false, reason: 'signature_mismatch' });
    expect(check(rawRequest(standard), {}, generateSecret())).toMatchObject({ valid: false, reason: 'signature_mismatch' });
    const { 'webhook-signature': _dropped, ...unsigned } = standard;
    expect(check(rawRequest(unsigned), { scheme: 'standard' })).toMatchObject({ valid: false, reason: 'missing_signature' });
    const old = signatureHeaders({ kind: 'standard-webhooks' }, [secret], 'msg_1', new Date(Date.now() - 3600_000), body);
    expect(check(rawRequest(old))).toMatchObject({ valid: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('checks hex signatures with a header and prefix guessed from the request, or from a profile', () => {
    const taskapp = signatureHeaders(
      { kind: 'hmac-sha256-hex', headerName: 'x-webhook-signature', prefix: 'sha256=', idAndTimestampHeaders: true },
      [secret],
      'msg_2',
      new Date(),
      body,
    );
    expect(check(rawRequest(taskapp))).toMatchObject({ valid: true, scheme: { kind: 'hmac-sha256-hex', prefix: 'sha256=' } });
    expect(check(rawRequest(taskapp), { profile: 'taskapp' })).toMatchObject({ valid: true });
    const twig = signatureHeaders({ kind: 'hmac-sha256-hex', headerName: 'x-twig-signature' }, [secret], 'msg_3', new Date(), body);
    expect(check(rawRequest(twig), { scheme: 'hex', header: 'X-Twig-Signature' })).toMatchObject({ valid: true });
    expect(check(rawRequest(twig), { profile: 'twig' })).toMatchObject({ valid: true });
    expect(check(rawRequest(twig, `${body} `), { profile: 'twig' })).toMatchObject({ valid: false, reason: 'signature_mismatch' });
    expect(check(rawRequest(twig), { scheme: 'hex' })).toMatchObject({ valid: false, reason: 'missing_signature' });
  });
});
