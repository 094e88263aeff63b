import { describe, expect, it } from 'vitest';
import { runHealthChecks } from '../src/http.js';

describe('runHealthChecks', () => {
  it('is ok when every check is, and lists them', async () => {
    expect(await runHealthChecks({ a: () => ({ ok: true }), b: async () => ({ status: 'ok' }) })).toEqual({
      status: 'ok',
      checks: { a: { status: 'ok' }, b: { status: 'ok' } },
    });
  });

  it('takes the worst verdict and keeps each reason; a throwing check is down', async () => {
    const degraded = await runHealthChecks({
      lag: () => ({ status: 'degraded', reason: 'g is 9 records behind on t (limit 5)' }),
      mongo: () => ({ ok: true }),
    });
    expect(degraded).toEqual({
      status: 'degraded',
      checks: { lag: { status: 'degraded', reason: 'g is 9 records behind on t (limit 5)' }, mongo: { status: 'ok' } },
    });
    const down = await runHealthChecks({
      lag: () => ({ status: 'degraded', reason: 'behind' }),
      mongo: async () => {
        throw new Error('connection refused');
      },
      producer: () => ({ ok: false, reason: 'producer disconnected' }),
    });
    expect(down.status).toBe('down');
    expect(down.checks.mongo).toEqual({ status: 'down', reason: 'connection refused' });
    expect(down.checks.producer).toEqual({ status: 'down', reason: 'producer disconnected' });
  });
});
