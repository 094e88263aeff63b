import type { IncomingHttpHeaders } from 'node:http';
import { attemptIdFor, type AttemptRecord, type DeliveryPolicy, type DeliveryTask, type EndpointRecord } from '@hookline/core';
import { signatureHeaders } from '@hookline/signing';
import { Agent, request } from 'undici';
import { deliveryBody } from './payload.js';
import type { SsrfGuard } from './ssrf.js';

export interface SenderOptions {
  timeoutMs: number;
  responseExcerptBytes: number;
  guard: SsrfGuard;
  userAgent?: string;
  /** Keep-alive connections per receiver origin. */
  connectionsPerOrigin?: number;
}

/** Response headers worth keeping in the attempt log. */
const keptResponseHeaders = ['content-type', 'content-length', 'retry-after', 'location', 'server'];

export interface AttemptResult {
  record: AttemptRecord;
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
    this.dispatcher = new Agent({
      connections: options.connectionsPerOrigin ?? 256,
      keepAliveTimeout: 30_000,
      connect: { lookup: options.guard.lookup, timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  async send(task: DeliveryTask, endpoint: EndpointRecord, policy: DeliveryPolicy, now = new Date()): Promise<AttemptResult> {
    const body = deliveryBody(policy.payloadFormat, task);
    const secrets = endpoint.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.secret);
    const headers = {
      ...endpoint.headers,
      'content-type': 'application/json',
      'user-agent': this.options.userAgent ?? 'Hookline/0.1',
      ...signatureHeaders(policy.signature, secrets, task.deliveryId, now, body),
    };
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
    try {
      this.options.guard.checkUrl(new URL(endpoint.url));
      const response = await this.post(endpoint.url, body, headers, policy.timeoutMs ?? this.options.timeoutMs);
      const durationMs = Math.round(performance.now() - started);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const location = headerText(response.headers.location);
      return {
        retryAfter: headerText(response.headers['retry-after']),
        record: {
          ...base,
          durationMs,
          outcome: ok ? 'success' : 'failure',
          statusCode: response.statusCode,
          ...(ok ? {} : { errorClass: `http_${response.statusCode}`, errorMessage: describeStatus(response.statusCode, location) }),
          responseExcerpt: response.excerpt,
          responseHeaders: pickHeaders(response.headers),
        },
      };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      return { retryAfter: undefined, record: { ...base, durationMs, outcome: 'failure', errorClass: errorCode(error), errorMessage: errorMessage(error) } };
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  /** POSTs and reads at most `responseExcerptBytes` of the answer, all within `timeoutMs`. */
  private async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await request(url, { method: 'POST', body, headers, dispatcher: this.dispatcher, signal });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      // Enough for the log: stop reading (a huge or endless body must not cost more than the cap).
      if (size >= this.options.responseExcerptBytes) {
        response.body.destroy();
        break;
      }
    }
    const excerpt = Buffer.concat(chunks).subarray(0, this.options.responseExcerptBytes).toString('utf8');
    return { statusCode: response.statusCode, headers: response.headers as IncomingHttpHeaders, excerpt };
  }
}

function describeStatus(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400) return `receiver answered ${status} (redirects are not followed${location ? `; Location: ${location}` : ''})`;
  return `receiver answered ${status}`;
}

/** The innermost cause with a code: undici wraps socket and lookup errors. */
function rootCause(error: unknown): { code?: string; name?: string; message?: string } {
  let current = error as { code?: string; name?: string; message?: string; cause?: unknown } | undefined;
  while (current?.cause && !current.code?.startsWith('E')) current = current.cause as typeof current;
  return current ?? {};
}

function errorCode(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return 'timeout';
  const cause = rootCause(error);
  return (cause.code ?? cause.name ?? 'request_error').toLowerCase();
}

function errorMessage(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return `timeout: no complete answer within the deadline (${(error as Error).message})`;
  const cause = rootCause(error);
  return cause.message ?? String(error);
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
