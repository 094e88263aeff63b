import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('logger-test', 'info', sink), lines };
}

describe('createLogger', () => {
  it('redacts the authorization and cookie headers, tokens, keys and secrets wherever they sit', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        authorization: 'Bearer hk_top',
        req: { headers: { authorization: 'Bearer hk_req', cookie: 'session=c1' } },
        err: { request: { headers: { authorization: 'Bearer hk_nested' } } },
        hook: { token: 'tok_1', secret: 'whsec_1' },
        apiKey: 'hk_2',
        secrets: ['whsec_2'],
      },
      'a call',
    );
    const text = lines.join('\n');
    for (const value of ['hk_top', 'hk_req', 'session=c1', 'hk_nested', 'tok_1', 'whsec_1', 'hk_2', 'whsec_2']) {
      expect(text).not.toContain(value);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ authorization: '[redacted]', req: { headers: { authorization: '[redacted]' } } });
  });
});
