import type { DeliveryTask, EndpointRecord } from '@hookline/core';
import type { DeliveryPolicy } from '@hookline/delivery-policy';
import { SpanKind, type Tracing, traceparentHeader } from '@hookline/tracing';
import type { TaskSender, TracedAttempt } from './engine.js';
import type { Sender } from './sender.js';

/**
 * The Sender with each attempt in a `delivery attempt` span (kind CLIENT) that continues the task record's trace
 * context; the span's context goes out as the request's `traceparent` header and on the records that follow
 * the attempt (attempt, retry, dead letter), so the receiver, the retries and the projector stay in the trace.
 */
export class TracedSender implements TaskSender {
  constructor(
    private readonly sender: Pick<Sender, 'send'>,
    private readonly tracing: Tracing,
  ) {}

  send(task: DeliveryTask, endpoint: EndpointRecord, policy: DeliveryPolicy, traceparent?: string): Promise<TracedAttempt> {
    const attributes = {
      'hookline.tenant': task.tenantId,
      'hookline.event.type': task.event.type,
      'hookline.event.id': task.eventId,
      'hookline.delivery.id': task.deliveryId,
      'hookline.endpoint.id': endpoint.id,
      'hookline.attempt': task.attempt,
    };
    return this.tracing.span(
      'delivery attempt',
      traceparent,
      attributes,
      async (span) => {
        const sent = await this.sender.send(task, endpoint, policy, new Date(), { [traceparentHeader]: span.traceparent });
        const { record } = sent;
        span.setAttributes({
          'hookline.outcome': record.outcome,
          ...(record.statusCode === undefined ? {} : { 'http.response.status_code': record.statusCode }),
          ...(record.errorClass ? { 'hookline.error.class': record.errorClass } : {}),
        });
        if (sent.failure) span.fail(new Error(sent.failure.message));
        return { ...sent, traceparent: span.traceparent };
      },
      SpanKind.CLIENT,
    );
  }
}
