import { describe, expect, it } from 'vitest';
import {
  ConnectionFailure,
  DestinationRefusedFailure,
  DnsFailure,
  failureOfError,
  failureOfRecord,
  failureOfStatus,
  HttpStatusFailure,
  RequestFailure,
  TimeoutFailure,
  TlsFailure,
} from '../src/index.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('attempt failures', () => {
  it('classifies request errors by code, keeping the error class string of earlier versions', () => {
    const cases: [unknown, unknown, string][] = [
      [Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), TimeoutFailure, 'timeout'],
      [new TypeError('fetch failed', { cause: coded('ECONNREFUSED') }), ConnectionFailure, 'econnrefused'],
      [coded('ECONNRESET'), ConnectionFailure, 'econnreset'],
      [coded('ENOTFOUND'), DnsFailure, 'enotfound'],
      [coded('CERT_HAS_EXPIRED'), TlsFailure, 'cert_has_expired'],
      [coded('EDESTINATIONREFUSED'), DestinationRefusedFailure, 'edestinationrefused'],
      [coded('UND_ERR_SOMETHING'), RequestFailure, 'und_err_something'],
      [new Error('plain'), RequestFailure, 'error'],
    ];
    for (const [error, kind, errorClass] of cases) {
      const failure = failureOfError(error);
      expect(failure).toBeInstanceOf(kind);
      expect(failure.errorClass).toBe(errorClass);
    }
    expect(failureOfError(Object.assign(new Error('x'), { name: 'TimeoutError' })).message).toBe(
      'timeout: no complete answer within the deadline (x)',
    );
  });

  it('reads statuses: only 2xx is no failure; 3xx says redirects are not followed', () => {
    expect(failureOfStatus(204)).toBeUndefined();
    expect(failureOfStatus(302, 'https://x/')).toMatchObject({
      errorClass: 'http_302',
      retryable: false,
      message: 'receiver answered 302 (redirects are not followed; Location: https://x/)',
    });
    expect(failureOfStatus(503)).toMatchObject({ errorClass: 'http_503', retryable: true, message: 'receiver answered 503' });
  });

  it('reads the failure back from a stored record', () => {
    expect(failureOfRecord({ outcome: 'failure', statusCode: 429, errorClass: 'http_429' })).toBeInstanceOf(HttpStatusFailure);
    expect(failureOfRecord({ outcome: 'failure', errorClass: 'timeout' })).toBeInstanceOf(TimeoutFailure);
    expect(failureOfRecord({ outcome: 'failure', errorClass: 'eai_again' })).toBeInstanceOf(DnsFailure);
    expect(failureOfRecord({ outcome: 'failure' })).toBeInstanceOf(RequestFailure);
    expect(failureOfRecord({ outcome: 'success', statusCode: 200 })).toBeUndefined();
  });
});
