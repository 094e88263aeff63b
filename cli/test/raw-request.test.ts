import { describe, expect, it } from 'vitest';
import { parseRawRequest } from '../src/raw-request.js';

describe('parseRawRequest', () => {
  it('reads a request line, headers and the exact body (CRLF)', () => {
    const parsed = parseRawRequest(
      'POST /hooks HTTP/1.1\r\nHost: 127.0.0.1:8600\r\nWebhook-Id: msg_1\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n{"b":2}',
    );
    expect(parsed).toEqual({
      method: 'POST',
      path: '/hooks',
      headers: { host: '127.0.0.1:8600', 'webhook-id': 'msg_1', 'content-type': 'application/json' },
      body: '{"a":1}\r\n{"b":2}',
    });
  });

  it('works without a request line and with LF line ends', () => {
    const parsed = parseRawRequest('webhook-id: msg_2\nwebhook-timestamp: 1700000000\n\n{"x":true}');
    expect(parsed.method).toBeUndefined();
    expect(parsed.headers).toEqual({ 'webhook-id': 'msg_2', 'webhook-timestamp': '1700000000' });
    expect(parsed.body).toBe('{"x":true}');
  });

  it('cuts the body at Content-Length (a saved file with a trailing newline still verifies)', () => {
    expect(parseRawRequest('Content-Length: 7\n\n{"a":1}\n').body).toBe('{"a":1}');
    // A Content-Length larger than what is there is ignored rather than trusted.
    expect(parseRawRequest('Content-Length: 99\n\nabc').body).toBe('abc');
  });

  it('counts Content-Length in bytes, not characters', () => {
    expect(parseRawRequest('Content-Length: 14\n\n{"n":"héllo"}\n').body).toBe('{"n":"héllo"}');
  });

  it('joins repeated headers and folded lines', () => {
    const parsed = parseRawRequest('X-A: 1\nX-A: 2\nX-Long: first\n  second\n\n');
    expect(parsed.headers).toEqual({ 'x-a': '1, 2', 'x-long': 'first second' });
    expect(parsed.body).toBe('');
  });

  it('skips a leading blank line of a paste', () => {
    expect(parseRawRequest('\nPOST / HTTP/1.1\nA: b\n\nbody').headers).toEqual({ a: 'b' });
  });

  it('says what is wrong with input that is not a request', () => {
    expect(() => parseRawRequest('{"just":"a body"}')).toThrow(/line 1 is not a header/);
    expect(() => parseRawRequest('')).toThrow(/no headers found/);
  });
});
