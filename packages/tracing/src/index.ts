import { randomUUID } from 'node:crypto';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { z } from 'zod';

/**
 * W3C trace context through Hookline: a `traceparent` from the POST (or a Kafka record header) is carried on every
 * record (events, tasks, retries, attempts) and sent on the outgoing request, so one event can be followed from its
 * producer to the receiver. Spans are recorded and exported only when an OTLP endpoint is configured; without one the
 * trace context still flows at the cost of a header copy: a valid parent is passed on as it is (Hookline records no
 * span a new span id could name, so the receiver's parent is the last span anyone recorded), and only a hop without
 * one starts a trace (random ids).
 *
 * No OpenTelemetry globals are set: each service holds its own `Tracing`, and parents are passed explicitly as the
 * `traceparent` strings the records carry, which is also what survives a hop through Kafka.
 */

/** The standard OpenTelemetry variables this package reads (parsed once by each service's env schema). */
export const tracingEnvShape = {
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};

export interface TracingEnv {
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/** The record header (and HTTP header) that carries the trace context between hops. */
export const traceparentHeader = 'traceparent';

/** What code inside a span may do with it. */
export interface SpanHandle {
  /** The `traceparent` for what this span sends on (records it writes, the outgoing request). */
  readonly traceparent: string;
  setAttributes(attributes: Attributes): void;
  fail(error: unknown): void;
}

/** A span started by `open`, for work that does not fit one callback (a batch written at once); `end` it exactly once. */
export interface OpenSpan extends SpanHandle {
  end(): void;
}

export interface Tracing {
  /** Whether spans are recorded and exported (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  /** Runs `work` in a span continuing `parent` (a traceparent value; a new trace when absent or malformed). */
  span<T>(
    name: string,
    parent: string | undefined,
    attributes: Attributes,
    work: (span: SpanHandle) => Promise<T>,
    kind?: SpanKind,
  ): Promise<T>;
  /** Starts a span continuing `parent` that the caller ends (see `span` for the rest). */
  open(name: string, parent: string | undefined, attributes: Attributes, kind?: SpanKind): OpenSpan;
  /** Exports what is buffered and stops (SIGTERM). */
  shutdown(): Promise<void>;
}

const carrierGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
const carrierSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const propagator = new W3CTraceContextPropagator();

function parentContext(parent: string | undefined): Context {
  return parent ? propagator.extract(ROOT_CONTEXT, { traceparent: parent }, carrierGetter) : ROOT_CONTEXT;
}

function traceparentOf(span: Span): string {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, carrierSetter);
  return carrier.traceparent ?? '';
}

/** A version-00 `traceparent` whose ids are not all zeros (W3C Trace Context, 3.2). */
const validTraceparent = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** 32 random hex digits (a UUID's; Node serves those from a buffered pool, several times faster than `randomBytes`). */
const randomHex = () => randomUUID().replaceAll('-', '');

/** A hop without an exporter: nothing recorded, the parent passed on as it is, or a new trace (not sampled) without one. */
function propagatingHandle(parent: string | undefined): OpenSpan {
  const traceparent =
    parent !== undefined && validTraceparent.test(parent) ? parent : `00-${randomHex()}-${randomHex().slice(0, 16)}-0${TraceFlags.NONE}`;
  return { traceparent, setAttributes: () => undefined, fail: () => undefined, end: () => undefined };
}

export interface TracingOptions {
  serviceName: string;
  env?: TracingEnv;
  /** Tests: spans go here, each at once. */
  exporter?: SpanExporter;
}

export function createTracing({ serviceName, env = {}, exporter }: TracingOptions): Tracing {
  const endpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : undefined);
  const spanExporter = exporter ?? (endpoint ? new OTLPTraceExporter({ url: endpoint }) : undefined);
  const provider = spanExporter
    ? new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
        spanProcessors: [
          exporter ? new SimpleSpanProcessor({ exporter: spanExporter }) : new BatchSpanProcessor({ exporter: spanExporter }),
        ],
      })
    : undefined;
  const tracer = provider?.getTracer('hookline');

  function open(name: string, parent: string | undefined, attributes: Attributes, kind = SpanKind.INTERNAL): OpenSpan {
    if (!tracer) return propagatingHandle(parent);
    const span = tracer.startSpan(name, { kind, attributes }, parentContext(parent));
    return {
      traceparent: traceparentOf(span),
      setAttributes: (more) => void span.setAttributes(more),
      fail(error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      },
      end: () => span.end(),
    };
  }

  return {
    exporting: Boolean(provider),
    open,
    async span(name, parent, attributes, work, kind = SpanKind.INTERNAL) {
      const handle = open(name, parent, attributes, kind);
      return withinSpans([handle], () => work(handle));
    },
    async shutdown() {
      await provider?.shutdown();
    },
  };
}

/**
 * `record` with its `traceparent` header set to `traceparent` (a copy; the record is not changed). With `keep`, a
 * traceparent the record already carries wins (records a more specific span stamped first).
 */
export function withTraceparent<R extends { headers?: Record<string, string> | undefined }>(
  record: R,
  traceparent: string | undefined,
  keep = false,
): R {
  if (!traceparent || (keep && record.headers?.[traceparentHeader])) return record;
  return { ...record, headers: { ...record.headers, [traceparentHeader]: traceparent } };
}

/** `withTraceparent` over every record of topic batches (records to publish together). */
export function withTraceparentAll<B extends { records: { headers?: Record<string, string> | undefined }[] }>(
  batches: B[],
  traceparent: string | undefined,
  keep = false,
): B[] {
  if (!traceparent) return batches;
  return batches.map((batch) => ({ ...batch, records: batch.records.map((record) => withTraceparent(record, traceparent, keep)) }));
}

/** Runs `work` while `spans` are open: each is failed with what `work` throws, and all end when it settles. */
export async function withinSpans<T>(spans: OpenSpan[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    for (const span of spans) span.fail(error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

/** The trace context a record or request carries: its `traceparent` header (the first, if repeated). */
export function traceparentFrom(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const value = headers?.[traceparentHeader];
  return Array.isArray(value) ? value[0] : value;
}

export { type Attributes, SpanKind } from '@opentelemetry/api';
