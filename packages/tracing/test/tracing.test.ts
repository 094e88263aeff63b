import { createServer } from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createTracing, traceparentFrom, withTraceparent, withTraceparentAll } from '../src/index.js';

/** The shape of the port's outgoing records. */
type TestRecord = { key: string; value: string | null; headers?: Record<string, string> };

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

  it('without an exporter passes the parent on as it is, and starts a trace only without a valid one', async () => {
    const tracing = createTracing({ serviceName: 'test' });
    expect(tracing.exporting).toBe(false);
    expect(await tracing.span('fanout', incoming, {}, async (span) => span.traceparent)).toBe(incoming);
    const opened = tracing.open('ingest', undefined, {});
    expect(opened.traceparent).toMatch(traceparent);
    opened.end();
    for (const invalid of ['', 'garbage', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, incoming.toUpperCase(), `ff${incoming.slice(2)}`]) {
      const fresh = tracing.open('ingest', invalid, {}).traceparent;
      expect(fresh).toMatch(traceparent);
      expect(fresh).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    }
  });

  it('stamps records with a traceparent header, keeping one already there when asked', () => {
    const record: TestRecord = { key: 'k', value: 'v', headers: { 'hookline-origin': 'hookline' } };
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    expect(withTraceparent(record, incoming)).toEqual({ ...record, headers: { 'hookline-origin': 'hookline', traceparent: incoming } });
    expect(record.headers).toEqual({ 'hookline-origin': 'hookline' });
    const bare: TestRecord = { key: 'k', value: 'v' };
    expect(withTraceparent(bare, undefined)).toBe(bare);
    const stamped = withTraceparent(record, incoming);
    expect(withTraceparent(stamped, other, true).headers?.traceparent).toBe(incoming);
    expect(withTraceparent(stamped, other).headers?.traceparent).toBe(other);
    const batches = withTraceparentAll([{ topic: 't', records: [stamped, bare] }], other, true);
    expect(batches[0]!.records.map((r) => traceparentFrom(r.headers))).toEqual([incoming, other]);
    expect(bare.headers).toBeUndefined();
    expect(traceparentFrom({ traceparent: [incoming, other] })).toBe(incoming);
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
