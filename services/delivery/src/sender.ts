import http from 'node:http';
import https from 'node:https';
import { attemptIdFor, type AttemptRecord, type DeliveryPolicy, type DeliveryTask, type EndpointRecord } from '@hookline/core';
import { signatureHeaders } from '@hookline/signing';
import got, { RequestError, type Got } from 'got';
import { deliveryBody } from './payload.js';
import { DestinationRefused, type SsrfGuard } from './ssrf.js';

export interface SenderOptions {
  timeoutMs: number;
  responseExcerptBytes: number;
  guard: SsrfGuard;
  userAgent?: string;
}

/** Response headers worth keeping in the attempt log. */
const keptResponseHeaders = ['content-type', 'content-length', 'retry-after', 'location', 'server'];

export interface AttemptResult {
  record: AttemptRecord;
  retryAfter: string | undefined;
}

/**
 * Sends one attempt. got is used as a plain HTTP client: keep-alive agents whose DNS lookup goes through the
 * SSRF guard, one request per call (retries are ours, through Kafka), no redirects (a 3xx is an answer, not an
 * instruction), and the response body read only up to a cap.
 */
export class Sender {
  private readonly client: Got;

  constructor(private readonly options: SenderOptions) {
    const agentOptions = { keepAlive: true, maxSockets: 1024, lookup: options.guard.lookup };
    this.client = got.extend({
      agent: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      decompress: true,
      http2: false,
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
      return {
        retryAfter: response.headers['retry-after'],
        record: {
          ...base,
          durationMs,
          outcome: ok ? 'success' : 'failure',
          statusCode: response.statusCode,
          ...(ok ? {} : { errorClass: `http_${response.statusCode}`, errorMessage: describeStatus(response.statusCode, response.headers.location) }),
          responseExcerpt: response.excerpt,
          responseHeaders: pickHeaders(response.headers),
        },
      };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const code = errorCode(error);
      return { retryAfter: undefined, record: { ...base, durationMs, outcome: 'failure', errorClass: code.toLowerCase(), errorMessage: (error as Error).message } };
    }
  }

  /** POSTs and reads at most `responseExcerptBytes` of the answer; the whole exchange is bounded by `timeoutMs`. */
  private post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
    return new Promise<{ statusCode: number; headers: http.IncomingHttpHeaders; excerpt: string }>((resolve, reject) => {
      const stream = this.client.stream.post(url, { body, headers, timeout: { request: timeoutMs } });
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      stream.once('response', (response: http.IncomingMessage) => {
        const finish = () => {
          if (settled) return;
          settled = true;
          resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, this.options.responseExcerptBytes) });
        };
        stream.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // Enough for the log: stop reading (a huge or endless body must not cost more than the cap).
          if (size >= this.options.responseExcerptBytes) {
            finish();
            stream.destroy();
          }
        });
        stream.once('end', finish);
      });
      stream.once('error', (error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
      });
    });
  }
}

function describeStatus(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400) return `receiver answered ${status} (redirects are not followed${location ? `; Location: ${location}` : ''})`;
  return `receiver answered ${status}`;
}

function errorCode(error: unknown): string {
  if (error instanceof DestinationRefused) return error.code;
  if (error instanceof RequestError) {
    const cause = (error as RequestError & { cause?: unknown }).cause;
    if (cause instanceof DestinationRefused) return cause.code;
    return error.code ?? 'request_error';
  }
  return 'internal_error';
}

function pickHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of keptResponseHeaders) {
    const value = headers[name];
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}
