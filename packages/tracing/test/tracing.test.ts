import { createServer } from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createTracing } from '../src/index.js';

const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('tracing', () => {
  it('continues the caller trace across hops, each hop a child span, recorded when exporting', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ serviceName: 'test', exporter });
    const sent = await tracing.span('ingest', incoming, { 'hookline.tenant': 't1' }, async (ingest) =>
      tracing.span('fanout', ingest.traceparent, {}, async (fanout) => fanout.traceparent),
    );
    const [, traceId] = traceparent.exec(sent)!;
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['fanout', 'ingest']);
    const [fanout, ingest] = spans;
    expect(ingest!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(fanout!.parentSpanContext?.spanId).toBe(ingest!.spanContext().spanId);
    expect(ingest!.attributes['hookline.tenant']).toBe('t1');
    await tracing.shutdown();
  });

  it('starts a trace when there is no parent or it is malformed, and records failures', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ serviceName: 'test', exporter });
    const fresh = await tracing.span('ingest', 'not-a-traceparent', {}, async (span) => span.traceparent);
    expect(fresh).toMatch(traceparent);
    expect(fresh).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    await expect(tracing.span('attempt', fresh, {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const failed = exporter.getFinishedSpans().find((s) => s.name === 'attempt')!;
    expect(failed.status).toMatchObject({ code: 2, message: 'boom' });
  });

  it('without an exporter still propagates: same trace id, a new span id per hop, nothing recorded', async () => {
    const tracing = createTracing({ serviceName: 'test' });
    expect(tracing.exporting).toBe(false);
    const hop = await tracing.span('fanout', incoming, {}, async (span) => span.traceparent);
    const [, traceId, spanId] = traceparent.exec(hop)!;
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spanId).not.toBe('00f067aa0ba902b7');
    expect(await tracing.span('ingest', undefined, {}, async (span) => span.traceparent)).toMatch(traceparent);
  });

  it('exports spans to an OTLP/HTTP endpoint on loopback', async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        bodies.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const tracing = createTracing({ serviceName: 'hookline-test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    expect(tracing.exporting).toBe(true);
    await tracing.span('ingest', incoming, {}, async () => undefined);
    await tracing.shutdown();
    server.close();
    expect(bodies.join('')).toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(bodies.join('')).toContain('hookline-test');
  });
});
