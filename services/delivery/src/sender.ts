import type { IncomingHttpHeaders } from 'node:http';
import { type AttemptRecord, attemptIdFor, type DeliveryTask, type EndpointRecord, isRefusedHeaderName } from '@hookline/core';
import {
  type AttemptFailure,
  type DeliveryPolicy,
  failureOfError,
  failureOfStatus,
  payloadHeaders,
  renderBody,
} from '@hookline/delivery-policy';
import type { SecretOpener } from '@hookline/secrets';
import { signatureHeaders } from '@hookline/signing';
import { Agent, Pool } from 'undici';
import { exchange } from './exchange.js';
import type { SsrfGuard } from './ssrf.js';

// The bench drives the Sender alone (`@hookline/delivery/sender`): it needs the guard and secrets it is built with.
export { EndpointSecrets, Keyring } from '@hookline/secrets';
export { SsrfGuard } from './ssrf.js';

export interface SenderOptions {
  timeoutMs: number;
  responseExcerptBytes: number;
  guard: SsrfGuard;
  /** Opens the endpoint's sealed signing secrets and header values, per attempt (nothing opened is kept). */
  secrets: SecretOpener;
  userAgent?: string;
  /**
   * Connections per receiver origin (256 by default): each origin has a pool of its own and may take at most this
   * share of the Sender's connections; requests beyond it wait in that origin's queue, never in another's.
   */
  connectionsPerOrigin?: number;
  /** Bytes of a delivery's body kept with its first attempt (the exact request on record); 16 KiB by default. */
  requestBodyRecordBytes?: number;
}

/** Response headers worth keeping in the attempt log. */
const keptResponseHeaders = ['content-type', 'content-length', 'retry-after', 'location', 'server'];

export interface AttemptResult {
  /** `final` is decided by the outcome routing (`routeOutcome`). */
  record: AttemptRecord;
  /** Undefined for a success. */
  failure: AttemptFailure | undefined;
  retryAfter: string | undefined;
}

/**
 * Sends one attempt with undici (see docs/decisions.md for why not got): keep-alive connections whose DNS
 * lookup goes through the SSRF guard, one request per call (retries are ours, through Kafka), no redirects (a
 * 3xx is an answer, not an instruction), one deadline for the whole exchange (a receiver dribbling bytes
 * cannot hold a slot longer), and the response body read only up to a cap.
 */
export class Sender {
  private readonly dispatcher: Agent;

  constructor(private readonly options: SenderOptions) {
    const connections = options.connectionsPerOrigin ?? 256;
    this.dispatcher = new Agent({
      // One pool per origin, created on first use and closed once its last connection is gone: a receiver that
      // hangs or dribbles holds connections of its own origin's pool only (at most its endpoints' concurrency),
      // so it neither queues other origins' requests nor takes their connections.
      factory: (origin, options) => new Pool(origin, { ...options, connections }),
      keepAliveTimeout: 30_000,
      connect: { lookup: options.guard.lookup, timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  /** `traceHeaders`: the attempt span's trace context (`traceparent`), sent as given. */
  async send(
    task: DeliveryTask,
    endpoint: EndpointRecord,
    policy: DeliveryPolicy,
    now = new Date(),
    traceHeaders: Record<string, string> = {},
  ): Promise<AttemptResult> {
    const body = renderBody(policy, task);
    const formatHeaders = payloadHeaders(policy, task);
    const base = {
      attemptId: attemptIdFor(task.deliveryId, task.attempt),
      deliveryId: task.deliveryId,
      eventId: task.eventId,
      eventType: task.event.type,
      endpointId: endpoint.id,
      tenantId: task.tenantId,
      attempt: task.attempt,
      url: endpoint.url,
      startedAt: now.toISOString(),
      final: false,
    };
    const started = performance.now();
    let request: AttemptRecord['request'];
    try {
      const target = new URL(endpoint.url);
      this.options.guard.checkUrl(target);
      // Opened here, inside the attempt: a value this service cannot open (a key missing from its keyring) is a
      // failed attempt that retries and dead-letters like any other, replayable once the keyring is fixed.
      const { secrets } = this.options;
      const headers = {
        ...customHeaders(secrets.openHeaders(endpoint)),
        ...traceHeaders,
        'content-type': 'application/json',
        'user-agent': this.options.userAgent ?? 'Hookline/0.1',
        ...signatureHeaders(policy.signature, secrets.liveSecrets(endpoint, now.getTime()), task.deliveryId, now, body),
        ...formatHeaders,
      };
      // The exact request goes on record once per delivery, with nothing in it that could sign or authenticate.
      if (task.attempt === 1)
        request = requestOnRecord(headers, Object.keys(endpoint.headers ?? {}), body, this.options.requestBodyRecordBytes ?? 16_384);
      const response = await exchange(this.dispatcher, target, {
        body,
        headers,
        timeoutMs: policy.timeoutMs ?? this.options.timeoutMs,
        excerptBytes: this.options.responseExcerptBytes,
      });
      const durationMs = Math.round(performance.now() - started);
      const failure = failureOfStatus(response.statusCode, headerText(response.headers.location));
      return {
        failure,
        retryAfter: headerText(response.headers['retry-after']),
        record: {
          ...base,
          durationMs,
          outcome: failure ? 'failure' : 'success',
          statusCode: response.statusCode,
          ...(failure ? { errorClass: failure.errorClass, errorMessage: failure.message } : {}),
          responseExcerpt: response.excerpt,
          responseHeaders: pickHeaders(response.headers),
          ...(request ? { request } : {}),
        },
      };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const failure = failureOfError(error);
      return {
        failure,
        retryAfter: undefined,
        record: {
          ...base,
          durationMs,
          outcome: 'failure',
          errorClass: failure.errorClass,
          errorMessage: failure.message,
          ...(request ? { request } : {}),
        },
      };
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** Header names whose values sign a request: kept on record only as a prefix. */
const signatureHeaderPattern = /signature/i;

/**
 * The request for the attempt log: custom header values masked (they are the receiver's credentials, write-only
 * in the admin API), signature values cut to their first characters (enough to compare, not to replay), the body
 * up to `maxBodyBytes`.
 */
function requestOnRecord(
  headers: Record<string, string>,
  customNames: string[],
  body: string,
  maxBodyBytes: number,
): NonNullable<AttemptRecord['request']> {
  const custom = new Set(customNames.map((name) => name.toLowerCase()));
  const shown = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (custom.has(name.toLowerCase())) return [name, '********'];
      if (signatureHeaderPattern.test(name))
        return [
          name,
          value
            .split(' ')
            .map((part) => `${part.slice(0, 12)}…`)
            .join(' '),
        ];
      return [name, value];
    }),
  );
  const bytes = Buffer.byteLength(body);
  if (bytes <= maxBodyBytes) return { headers: shown, body };
  return { headers: shown, body: Buffer.from(body).subarray(0, maxBodyBytes).toString('utf8'), bodyTruncated: true };
}

/** Custom headers as sent: names the admin API refuses now (records written before it did) are left out. */
function customHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isRefusedHeaderName(name)));
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function pickHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of keptResponseHeaders) {
    const value = headerText(headers[name]);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
