import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKafkaEventLog } from '@hookline/kafka';
import { eventually, type Receiver, requestJson } from '@hookline/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useHookline } from './support/harness.js';

/** One span as the OTLP/HTTP JSON exporter sends it, with the service that sent it. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number };
}

/** OTLP's span kinds (the JSON encoding numbers them from 1). */
const spanKind = { internal: 1, client: 3 };

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const attributeValue = (v: OtlpValue) => v.stringValue ?? (v.intValue === undefined ? (v.boolValue ?? v.doubleValue) : Number(v.intValue));
const attributesOf = (list: OtlpAttributes = []) => Object.fromEntries(list.map((a) => [a.key, attributeValue(a.value)]));

type OtlpAttributes = { key: string; value: OtlpValue }[];
/** The part of an OTLP/JSON trace export the test reads. */
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttributes };
    scopeSpans?: { spans?: (Omit<ExportedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttributes })[] }[];
  }[];
}

/** A collector on loopback: takes the OTLP/HTTP exports (JSON) the services send to /v1/traces and keeps their spans. */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  readonly refused: string[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        if (request.url !== '/v1/traces' || !String(request.headers['content-type']).includes('json')) {
          this.refused.push(`${request.url} ${request.headers['content-type']}`);
          response.writeHead(415).end();
          return;
        }
        this.collect(JSON.parse(body));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private collect(exported: OtlpExport): void {
    for (const resourceSpans of exported.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? [])
        for (const span of scope.spans ?? []) this.spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
    }
  }

  /** Waits until the trace has a span of each name in `names` (and `count` of the ones asked for more). */
  waitForTrace(traceId: string, names: Record<string, number>): Promise<ExportedSpan[]> {
    return eventually(
      async () => {
        const spans = this.spans.filter((s) => s.traceId === traceId);
        return Object.entries(names).every(([name, count]) => spans.filter((s) => s.name === name).length >= count) ? spans : undefined;
      },
      60_000,
      250,
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const otlp = await OtlpReceiver.start();
const context = useHookline({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
afterAll(() => otlp.close());

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The trace and span id of a `traceparent` value. */
function parts(traceparent: unknown): { traceId: string; spanId: string } {
  const match = traceparentPattern.exec(String(traceparent));
  expect(match, `traceparent ${String(traceparent)}`).not.toBeNull();
  return { traceId: match![1]!, spanId: match![2]! };
}

function only(spans: ExportedSpan[], name: string): ExportedSpan {
  const named = spans.filter((s) => s.name === name);
  expect(named, `spans named ${name}`).toHaveLength(1);
  return named[0]!;
}

/** The request the receiver got for the event whose data carries `marker`. */
function receivedWith(receiver: Receiver, marker: string) {
  return eventually(async () => receiver.requests.find((r) => JSON.parse(r.body).data?.marker === marker));
}

async function postEvent(type: string, data: unknown, headers: Record<string, string> = {}) {
  const response = await requestJson('POST', `${context.hookline.ingestUrl}/v1/events`, {
    token: context.tenant.apiKey,
    body: { type, data },
    headers,
  });
  expect(response.status).toBe(202);
  return response.body.id as string;
}

/**
 * Traces end to end (issue 11): the W3C trace context of the POST (or of a Kafka-native record) travels through
 * every topic to the webhook's `traceparent` header, and each hop exports its span to the OTLP endpoint, parented
 * in a chain: caller → ingest → delivery attempt (→ the next attempt) → projector. Ingest plans the deliveries of
 * the events it accepts; a Kafka-native record's chain has fanout's span where ingest's would be.
 */
describe('traces', () => {
  let receiver: Receiver;
  let endpointId: string;

  beforeAll(async () => {
    receiver = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: receiver.url, events: ['traced.*'] });
    endpointId = endpoint.id;
  });

  it('continues the caller trace from the POST to the webhook, with a chain of spans from every service', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const marker = hex(6);
    await postEvent('traced.created', { marker }, { traceparent: `00-${traceId}-${callerSpanId}-01` });

    const request = await receivedWith(receiver, marker);
    const sent = parts(request.headers.traceparent);
    expect(sent.traceId).toBe(traceId);

    const spans = await otlp.waitForTrace(traceId, { ingest: 1, 'delivery attempt': 1, projector: 1 });
    const ingest = only(spans, 'ingest');
    const attempt = only(spans, 'delivery attempt');
    const projector = only(spans, 'projector');
    expect(ingest.parentSpanId).toBe(callerSpanId);
    expect(attempt.parentSpanId).toBe(ingest.spanId);
    expect(projector.parentSpanId).toBe(attempt.spanId);
    // The receiver sees the attempt span as its parent.
    expect(sent.spanId).toBe(attempt.spanId);

    expect([ingest.service, attempt.service, projector.service]).toEqual(['hookline-ingest', 'hookline-delivery', 'hookline-projector']);
    expect(ingest.attributes).toMatchObject({
      'hookline.tenant': context.tenant.id,
      'hookline.event.type': 'traced.created',
      'hookline.endpoint.count': 1,
    });
    // Fanout counted the event and planned nothing: no span of its own.
    expect(spans.filter((s) => s.name === 'fanout')).toEqual([]);
    expect(attempt.kind).toBe(spanKind.client);
    expect(attempt.attributes).toMatchObject({
      'hookline.endpoint.id': endpointId,
      'hookline.attempt': 1,
      'http.response.status_code': 200,
      'hookline.outcome': 'success',
    });
    expect(projector.kind).toBe(spanKind.internal);
    expect(otlp.refused).toEqual([]);
  });

  it('starts a trace at ingest when the POST carries none, and it reaches the webhook', async () => {
    const marker = hex(6);
    await postEvent('traced.untraced', { marker });
    const request = await receivedWith(receiver, marker);
    const { traceId } = parts(request.headers.traceparent);
    const spans = await otlp.waitForTrace(traceId, { ingest: 1, 'delivery attempt': 1, projector: 1 });
    const ingest = only(spans, 'ingest');
    // A root: nothing before ingest.
    expect(ingest.parentSpanId ?? '').toBe('');
    expect(only(spans, 'delivery attempt').parentSpanId).toBe(ingest.spanId);
  });

  it('keeps the trace across a retry: the second attempt continues the first', async () => {
    const retrying = await context.receiver();
    let calls = 0;
    retrying.respond(() => ({ status: calls++ === 0 ? 503 : 200 }));
    const endpoint = await context.tenant.createEndpoint({ url: retrying.url, events: ['retried.*'], retrySchedule: ['0s'] });
    const traceId = hex(16);
    await postEvent('retried.once', { n: 3 }, { traceparent: `00-${traceId}-${hex(8)}-01` });

    const [first, second] = await retrying.waitForRequests(2);
    expect(parts(first!.headers.traceparent).traceId).toBe(traceId);
    expect(parts(second!.headers.traceparent).traceId).toBe(traceId);

    const spans = await otlp.waitForTrace(traceId, { 'delivery attempt': 2, projector: 2 });
    const attempts = spans
      .filter((s) => s.name === 'delivery attempt')
      .sort((a, b) => Number(a.attributes['hookline.attempt']) - Number(b.attributes['hookline.attempt']));
    expect(
      attempts.map((a) => [a.attributes['hookline.attempt'], a.attributes['http.response.status_code'], a.attributes['hookline.outcome']]),
    ).toEqual([
      [1, 503, 'failure'],
      [2, 200, 'success'],
    ]);
    expect(attempts.every((a) => a.attributes['hookline.endpoint.id'] === endpoint.id)).toBe(true);
    expect(attempts[0]!.parentSpanId).toBe(only(spans, 'ingest').spanId);
    // The retry went through a tier topic carrying the first attempt's context.
    expect(attempts[1]!.parentSpanId).toBe(attempts[0]!.spanId);
    expect(parts(second!.headers.traceparent).spanId).toBe(attempts[1]!.spanId);
    const projected = spans.filter((s) => s.name === 'projector').map((s) => s.parentSpanId);
    expect(projected.sort()).toEqual(attempts.map((a) => a.spanId).sort());
  });

  it("continues a Kafka-native producer's traceparent record header", async () => {
    const infra = inject('infra');
    const log = createKafkaEventLog({
      brokers: infra.kafkaBrokers.split(','),
      clientId: 'traced-producer',
      logger: pino({ level: 'silent' }),
    });
    const producer = await log.publisher();
    try {
      const traceId = hex(16);
      const producerSpanId = hex(8);
      const marker = hex(6);
      const event = {
        id: `evt_native_${marker}`,
        type: 'traced.native',
        tenantId: context.tenant.id,
        timestamp: new Date().toISOString(),
        data: { marker },
      };
      await producer.publish([
        {
          topic: `${context.hookline.namespace}.events`,
          records: [
            { key: context.tenant.id, value: JSON.stringify(event), headers: { traceparent: `00-${traceId}-${producerSpanId}-01` } },
          ],
        },
      ]);
      const request = await receivedWith(receiver, marker);
      expect(parts(request.headers.traceparent).traceId).toBe(traceId);
      const spans = await otlp.waitForTrace(traceId, { fanout: 1, 'delivery attempt': 1, projector: 1 });
      expect(spans.filter((s) => s.name === 'ingest')).toEqual([]);
      expect(only(spans, 'fanout').parentSpanId).toBe(producerSpanId);
    } finally {
      await producer.close();
      await log.close();
    }
  });
});
