import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EndpointLimiter } from '../src/limiter.js';
import { SsrfGuard } from '../src/ssrf.js';

describe('SsrfGuard', () => {
  const guard = new SsrfGuard({ allowCidrs: [], requireHttps: false });

  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '100.64.0.1',
  ])('refuses %s', (address) => {
    expect(() => guard.checkAddress(address)).toThrow(/refused by the SSRF guard/);
  });

  it('allows public addresses, and private ones only through the allow-list', () => {
    expect(() => guard.checkAddress('93.184.216.34')).not.toThrow();
    expect(() => guard.checkAddress('2606:2800:220:1::1')).not.toThrow();
    const dev = new SsrfGuard({ allowCidrs: ['127.0.0.0/8'], requireHttps: false });
    expect(() => dev.checkAddress('127.0.0.1')).not.toThrow();
    expect(() => dev.checkAddress('10.0.0.1')).toThrow();
  });

  it('checks IP-literal URLs and the scheme before any connection', () => {
    expect(() => guard.checkUrl(new URL('http://169.254.169.254/latest/meta-data'))).toThrow();
    expect(() => guard.checkUrl(new URL('http://[::1]:8080/'))).toThrow();
    expect(() => new SsrfGuard({ allowCidrs: [], requireHttps: true }).checkUrl(new URL('http://127.0.0.2/'))).toThrow(/https is required/);
  });

  it('refuses a hostname that resolves to loopback', async () => {
    const error = await new Promise<Error | null>((resolve) => guard.lookup('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(/refused by the SSRF guard/);
  });
});

describe('EndpointLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never runs more than its concurrency at once', async () => {
    const limiter = new EndpointLimiter(3, undefined);
    let running = 0;
    let peak = 0;
    const all = Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    await vi.runAllTimersAsync();
    await all;
    expect(peak).toBe(3);
  });

  it('spaces starts to the rate limit', async () => {
    const limiter = new EndpointLimiter(100, 20);
    const startedAt: number[] = [];
    const started = Date.now();
    const all = Promise.all(Array.from({ length: 30 }, () => limiter.run(async () => void startedAt.push(Date.now() - started))));
    await vi.runAllTimersAsync();
    await all;
    // 20 tokens at once, then 10 more at 20/s: the last starts half a second in.
    expect(startedAt.filter((t) => t === 0)).toHaveLength(20);
    expect(Math.max(...startedAt)).toBeGreaterThanOrEqual(450);
    expect(Math.max(...startedAt)).toBeLessThanOrEqual(550);
  });
});
