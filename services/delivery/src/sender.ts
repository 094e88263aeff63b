import http from 'node:http';
import https from 'node:https';
import { attemptIdFor, type AttemptRecord, type DeliveryTask, type EndpointRecord } from '@hookline/core';
import { signStandardWebhooks } from '@hookline/signing';
import got, { RequestError, type Got } from 'got';
import { deliveryBody } from './payload.js';

export interface SenderOptions {
  timeoutMs: number;
  responseExcerptBytes: number;
}

/** Response headers worth keeping in the attempt log. */
const keptResponseHeaders = ['content-type', 'retry-after', 'location', 'server'];

/**
 * Sends one attempt of a delivery task. got is configured as a plain HTTP client: keep-alive agents, one
 * request per call (retries are ours, through Kafka), no redirects (a 3xx is an answer, not an instruction).
 */
export class Sender {
  private readonly client: Got;

  constructor(private readonly options: SenderOptions) {
    this.client = got.extend({
      agent: {
        http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
      },
      timeout: { request: options.timeoutMs },
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      decompress: true,
    });
  }

  async send(task: DeliveryTask, endpoint: EndpointRecord, now = new Date()): Promise<AttemptRecord> {
    const body = deliveryBody(task.event);
    const secrets = endpoint.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.secret);
    const headers = {
      ...endpoint.headers,
      'content-type': 'application/json',
      'user-agent': 'Hookline/0.1',
      ...signStandardWebhooks(secrets, task.deliveryId, now, body),
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
    };
    const started = performance.now();
    try {
      const response = await this.client.post(endpoint.url, { body, headers });
      const durationMs = Math.round(performance.now() - started);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return {
        ...base,
        durationMs,
        outcome: ok ? 'success' : 'failure',
        statusCode: response.statusCode,
        ...(ok ? {} : { errorClass: `http_${response.statusCode}`, errorMessage: `receiver answered ${response.statusCode}` }),
        responseExcerpt: String(response.body).slice(0, this.options.responseExcerptBytes),
        responseHeaders: pickHeaders(response.headers),
        final: true,
      };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const code = error instanceof RequestError ? (error.code ?? 'request_error') : 'internal_error';
      return { ...base, durationMs, outcome: 'failure', errorClass: code.toLowerCase(), errorMessage: (error as Error).message, final: true };
    }
  }
}

function pickHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of keptResponseHeaders) {
    const value = headers[name];
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}
