/**
 * Why an attempt failed, as typed classes: retryability is decided by the class, never by matching text. On
 * the `attempts` topic a failure is still the `errorClass` string it always was (`timeout`, `econnrefused`,
 * `http_503`, ...): `failureOfError` makes the class from a request error, `failureOfRecord` reads it back
 * from an attempt record (also one written by an earlier version).
 */
export abstract class AttemptFailure {
  abstract readonly kind: FailureKind;
  /** Whether another attempt may succeed. */
  abstract readonly retryable: boolean;
  constructor(
    /** As written to the attempt record. */
    readonly errorClass: string,
    readonly message: string,
  ) {}
}

/** No complete answer within the deadline. */
export class TimeoutFailure extends AttemptFailure {
  readonly kind = 'timeout';
  readonly retryable = true;
}

/** The connection was refused, reset or broken. */
export class ConnectionFailure extends AttemptFailure {
  readonly kind = 'connection';
  readonly retryable = true;
}

/** The receiver's host name did not resolve. */
export class DnsFailure extends AttemptFailure {
  readonly kind = 'dns';
  readonly retryable = true;
}

/** The TLS handshake failed (certificate expired, wrong host, untrusted, ...). */
export class TlsFailure extends AttemptFailure {
  readonly kind = 'tls';
  readonly retryable = true;
}

/** The SSRF guard refused the destination: another attempt would be refused too. */
export class DestinationRefusedFailure extends AttemptFailure {
  readonly kind = 'destination_refused';
  readonly retryable = false;
}

/** The receiver answered with a status other than 2xx. 408, 429 and 5xx are worth another attempt. */
export class HttpStatusFailure extends AttemptFailure {
  readonly kind = 'http_status';
  readonly retryable: boolean;
  constructor(
    readonly statusCode: number,
    message = describeStatus(statusCode, undefined),
  ) {
    super(`http_${statusCode}`, message);
    this.retryable = statusCode === 408 || statusCode === 429 || statusCode >= 500;
  }
}

/** Any other request error (a code this module does not know). */
export class RequestFailure extends AttemptFailure {
  readonly kind = 'request';
  readonly retryable = true;
}

export const failureKinds = ['timeout', 'connection', 'dns', 'tls', 'destination_refused', 'http_status', 'request'] as const;
export type FailureKind = (typeof failureKinds)[number];

type CodeFailure = new (errorClass: string, message: string) => AttemptFailure;

/** Error codes (as Node and undici give them) by the failure they mean. */
const failureByCode = new Map<string, CodeFailure>([
  ...['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].map(
    (code) => [code, TimeoutFailure] as const,
  ),
  ...[
    'ECONNREFUSED',
    'ECONNRESET',
    'ECONNABORTED',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EHOSTDOWN',
    'ENETDOWN',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
  ].map((code) => [code, ConnectionFailure] as const),
  ...['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL'].map((code) => [code, DnsFailure] as const),
  ...[
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'EPROTO',
  ].map((code) => [code, TlsFailure] as const),
  ['EDESTINATIONREFUSED', DestinationRefusedFailure],
]);

/** The error class of a code as stored: lower case, as every version wrote it. */
function failureOfCode(code: string, message: string): AttemptFailure {
  const Failure = failureByCode.get(code.toUpperCase()) ?? RequestFailure;
  return new Failure(code.toLowerCase(), message);
}

/** The innermost cause with a code: undici wraps socket and lookup errors. */
function rootCause(error: unknown): { code?: string; name?: string; message?: string } {
  let current = error as { code?: string; name?: string; message?: string; cause?: unknown } | undefined;
  while (current?.cause && !current.code?.startsWith('E')) current = current.cause as typeof current;
  return current ?? {};
}

/** The failure a request error stands for (the request's own deadline is a `TimeoutError`). */
export function failureOfError(error: unknown): AttemptFailure {
  if ((error as Error | undefined)?.name === 'TimeoutError') {
    return new TimeoutFailure('timeout', `timeout: no complete answer within the deadline (${(error as Error).message})`);
  }
  const cause = rootCause(error);
  return failureOfCode(cause.code ?? cause.name ?? 'request_error', cause.message ?? String(error));
}

/** The failure an answer's status stands for, or undefined for 2xx. */
export function failureOfStatus(statusCode: number, location?: string): HttpStatusFailure | undefined {
  return statusCode >= 200 && statusCode < 300 ? undefined : new HttpStatusFailure(statusCode, describeStatus(statusCode, location));
}

/** Reads the failure of an attempt record back (undefined for a success). */
export function failureOfRecord(record: {
  outcome: 'success' | 'failure';
  statusCode?: number | undefined;
  errorClass?: string | undefined;
  errorMessage?: string | undefined;
}): AttemptFailure | undefined {
  if (record.outcome === 'success') return undefined;
  const message = record.errorMessage ?? record.errorClass ?? 'failed';
  if (record.statusCode !== undefined) return new HttpStatusFailure(record.statusCode, message);
  if (record.errorClass === 'timeout') return new TimeoutFailure('timeout', message);
  return failureOfCode(record.errorClass ?? 'request_error', message);
}

function describeStatus(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400)
    return `receiver answered ${status} (redirects are not followed${location ? `; Location: ${location}` : ''})`;
  return `receiver answered ${status}`;
}
