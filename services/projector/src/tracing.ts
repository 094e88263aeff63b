import type { LogRecord, PartitionBatch } from '@hookline/kafka';
import { type Tracing, traceparentFrom, withinSpans } from '@hookline/tracing';

/**
 * Runs `fold` (the projection of a batch of attempt records) with one `projector` span per record, each
 * continuing the trace context the attempt record carries (the delivery attempt's span). The batch is written
 * at once, so the spans share its time. Nothing is done unless spans are exported: the projector writes no
 * record that would carry the context on.
 */
export async function traceAttemptFold(tracing: Tracing | undefined, batch: PartitionBatch, fold: () => Promise<void>): Promise<void> {
  if (!tracing?.exporting) return fold();
  const spans = batch.records.map((record: LogRecord) =>
    tracing.open('projector', traceparentFrom(record.headers), {
      'messaging.destination.name': record.topic,
      'messaging.destination.partition.id': String(record.partition),
      'messaging.kafka.offset': Number(record.offset),
      ...(record.key ? { 'hookline.endpoint.id': record.key } : {}),
    }),
  );
  await withinSpans(spans, fold);
}
