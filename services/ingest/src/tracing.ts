import type { EventEnvelope } from '@hookline/core';
import { type OpenSpan, type Tracing, withinSpans } from '@hookline/tracing';
import type { TracedEvent } from './plan.js';

/**
 * Publishes `envelopes`, each inside its own `ingest` span that continues the caller's `traceparent` (the POST's
 * header; a new trace without one). `publish` puts the span's context on the event's records as a `traceparent`
 * header, where fanout or delivery picks it up. The spans end once the broker has the records (or failed).
 * Without `tracing` the events carry no trace context.
 */
export async function publishWithTraces(
  tracing: Tracing | undefined,
  envelopes: EventEnvelope[],
  traceparent: string | undefined,
  publish: (traced: TracedEvent[]) => Promise<void>,
): Promise<void> {
  if (!tracing) return publish(envelopes.map((event) => ({ event, traceparent: undefined })));
  const spans: OpenSpan[] = envelopes.map((event) =>
    tracing.open('ingest', traceparent, {
      'hookline.tenant': event.tenantId,
      'hookline.event.type': event.type,
      'hookline.event.id': event.id,
    }),
  );
  await withinSpans(spans, () => publish(envelopes.map((event, i) => ({ event, traceparent: spans[i]!.traceparent, span: spans[i]! }))));
}
