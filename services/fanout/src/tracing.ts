import type { EventEnvelope } from '@hookline/core';
import type { LogRecord, TopicRecords } from '@hookline/kafka';
import { type Tracing, traceparentFrom, withTraceparentAll } from '@hookline/tracing';

/** The `fanout` span of one event: what its records carry on, and how it ended. */
export interface FanoutTrace {
  /** The records with the span's `traceparent` header (delivery continues the trace from them). */
  carry(batches: TopicRecords[]): TopicRecords[];
  /** Ends the span with the number of endpoints the event went to (tasks and parked), or why it was rejected. */
  end(outcome: { tasks: number; parked: number } | { rejected: string } | { error: unknown }): void;
}

const untraced: FanoutTrace = { carry: (batches) => batches, end: () => undefined };

/** An event ingest planned: the few tasks fanout adds carry the record's context (ingest's span) on, with no span of fanout's. */
export function traceLatePlanned(record: LogRecord): FanoutTrace {
  const traceparent = traceparentFrom(record.headers);
  return { carry: (batches) => withTraceparentAll(batches, traceparent), end: () => undefined };
}

/** Opens the event's `fanout` span, continuing the record's `traceparent` header (ingest's span or a Kafka-native producer's). */
export function traceFanout(tracing: Tracing | undefined, record: LogRecord, event: EventEnvelope): FanoutTrace {
  if (!tracing) return untraced;
  const span = tracing.open('fanout', traceparentFrom(record.headers), {
    'hookline.tenant': event.tenantId,
    'hookline.event.type': event.type,
    'hookline.event.id': event.id,
  });
  return {
    carry: (batches) => withTraceparentAll(batches, span.traceparent),
    end(outcome) {
      if ('tasks' in outcome)
        span.setAttributes({ 'hookline.endpoint.count': outcome.tasks + outcome.parked, 'hookline.parked': outcome.parked });
      else span.fail('error' in outcome ? outcome.error : new Error(outcome.rejected));
      span.end();
    },
  };
}
