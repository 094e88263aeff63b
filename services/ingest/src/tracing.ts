import { type EventEnvelope, eventRecord } from '@hookline/core';
import type { OutgoingRecord } from '@hookline/kafka';
import { type OpenSpan, type Tracing, withinSpans, withTraceparent } from '@hookline/tracing';

/**
 * Publishes `envelopes` as `events` records, each inside its own `ingest` span that continues the caller's
 * `traceparent` (the POST's header; a new trace without one) and puts the span's context on the record as a
 * `traceparent` header, where fanout picks it up. The spans end once the broker has the records (or failed).
 * Without `tracing` the records go out as before, without the header.
 */
export async function publishWithTraces(
  tracing: Tracing | undefined,
  envelopes: EventEnvelope[],
  traceparent: string | undefined,
  publish: (records: OutgoingRecord[]) => Promise<void>,
): Promise<void> {
  if (!tracing) return publish(envelopes.map(eventRecord));
  const spans: OpenSpan[] = envelopes.map((event) =>
    tracing.open('ingest', traceparent, {
      'hookline.tenant': event.tenantId,
      'hookline.event.type': event.type,
      'hookline.event.id': event.id,
    }),
  );
  await withinSpans(spans, () => publish(envelopes.map((event, i) => withTraceparent(eventRecord(event), spans[i]!.traceparent))));
}
