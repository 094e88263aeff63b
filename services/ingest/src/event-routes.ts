import type { ConfigView } from '@hookline/config';
import { ApiError, type EventEnvelope, eventTypeName } from '@hookline/core';
import { type ApiRoute, jsonBody } from '@hookline/service';
import type { IdempotencyKeys } from '@hookline/store';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { z } from 'zod';
import { route } from './access.js';
import { EventSchemas } from './event-schemas.js';
import { bodyHash, eventBatchInput, eventInput, idempotencyKey, toEnvelope } from './events.js';
import type { EventPublisher } from './publish.js';

export type IdempotencyStore = Pick<IdempotencyKeys, 'claim' | 'complete' | 'release'>;

export interface EventRouteDeps {
  config: ConfigView;
  publisher: EventPublisher;
  logger: Logger;
  idempotency: IdempotencyStore;
  maxBodyBytes: number;
  eventsIn: Counter;
}

const acceptedEvent = z.object({ id: z.string(), type: eventTypeName, timestamp: z.string() }).meta({ id: 'AcceptedEvent' });

/** W3C trace context: the event's trace continues the caller's (a new trace without it; a malformed one is ignored). */
const traceparent = z.string().optional().describe('W3C trace context (`00-<trace id>-<span id>-<flags>`) the event is traced under');

const singleHeaders = z.object({
  'idempotency-key': idempotencyKey.optional().describe('Retries with the same key and body return the same event'),
  traceparent,
});

// Refused rather than ignored: a client sending one believes its retries are safe.
const batchHeaders = z.object({
  'idempotency-key': z
    .never({ error: 'not supported on batches' })
    .optional()
    .describe('Not supported on batches (refused with 422): send events one by one to make retries safe'),
  traceparent,
});

function accepted(envelope: Pick<EventEnvelope, 'id' | 'type' | 'timestamp'>) {
  return { id: envelope.id, type: envelope.type, timestamp: envelope.timestamp };
}

/** `POST /v1/events` (one event, optionally with an Idempotency-Key) and `POST /v1/events/batch`. */
export function eventRoutes({ config, publisher, logger, idempotency, maxBodyBytes, eventsIn }: EventRouteDeps): ApiRoute[] {
  const schemas = new EventSchemas(config);
  // Bodies are parsed before the key is checked, as ingest always did (a bad body is 400/413/415 even without a key).
  const parseJson = jsonBody(maxBodyBytes);

  return [
    route({
      method: 'post',
      path: '/v1/events',
      tags: ['events'],
      summary: 'Send one event; acknowledged once the broker has it',
      auth: 'apiKey',
      role: 'publish',
      rateLimit: 'events',
      middleware: parseJson,
      headers: singleHeaders,
      body: eventInput,
      inputNames: { headers: 'Idempotency-Key header', body: 'event' },
      responses: {
        202: { description: 'Accepted', schema: acceptedEvent },
        200: { description: 'A retry of an Idempotency-Key already accepted: the same event', schema: acceptedEvent },
      },
      errors: ['conflict', 'unknown_event_type', 'unavailable'],
      async handler({ caller, headers, body, req }) {
        const key = headers['idempotency-key'];
        const envelope = toEnvelope(body, caller.tenantId);
        // A catalog miss catches the config view up, which needs the broker: behind the stall gate like publishing.
        await publisher.viaBroker(() => schemas.check(caller.tenantId, [envelope]));
        if (key === undefined) {
          await publisher.publish([envelope], headers.traceparent);
          eventsIn.inc();
          return { status: 202, body: accepted(envelope) };
        }

        // The body as sent (not as parsed, which drops unknown fields) tells a retry from a reused key.
        const claim = await idempotency.claim(caller.tenantId, key, bodyHash(req.body), {
          eventId: envelope.id,
          eventTimestamp: envelope.timestamp,
        });
        switch (claim.outcome) {
          case 'replayed':
            return { status: 200, body: accepted({ id: claim.eventId, type: envelope.type, timestamp: claim.eventTimestamp }) };
          case 'mismatch':
            throw new ApiError('conflict', 'this Idempotency-Key was already used with a different request body');
          case 'busy':
            throw new ApiError('conflict', 'a request with this Idempotency-Key is still being processed; retry later');
          case 'claimed': {
            // A takeover of an abandoned claim reuses that claim's id and timestamp, so the event is the same one.
            const claimed = { ...envelope, id: claim.eventId, timestamp: claim.eventTimestamp };
            try {
              await publisher.publish([claimed], headers.traceparent);
            } catch (error) {
              await idempotency.release(claim).catch((e: unknown) => logger.warn({ err: e }, 'could not release idempotency key'));
              throw error;
            }
            eventsIn.inc();
            // The event is on the broker whatever happens next; a key left pending is taken over after its lease
            // with the same event id, so subscribers can still deduplicate.
            await idempotency.complete(claim).catch((e: unknown) => logger.warn({ err: e }, 'could not complete idempotency key'));
            return { status: 202, body: accepted(claimed) };
          }
        }
      },
    }),
    route({
      method: 'post',
      path: '/v1/events/batch',
      tags: ['events'],
      summary: 'Send up to 500 events; one invalid item rejects the whole batch',
      auth: 'apiKey',
      role: 'publish',
      rateLimit: 'events',
      middleware: parseJson,
      headers: batchHeaders,
      // Every item is validated before anything is produced: one bad item rejects the whole batch.
      body: eventBatchInput,
      inputNames: { headers: 'Idempotency-Key header', body: 'batch' },
      responses: { 202: { description: 'Accepted', schema: z.object({ ids: z.array(z.string()) }) } },
      errors: ['unknown_event_type', 'unavailable'],
      async handler({ caller, headers, body: { events } }) {
        await publisher.viaBroker(() => schemas.check(caller.tenantId, events, (i) => `events.${i}.`));
        const now = new Date();
        const envelopes = events.map((event) => toEnvelope(event, caller.tenantId, now));
        await publisher.publish(envelopes, headers.traceparent);
        eventsIn.inc(envelopes.length);
        return { status: 202, body: { ids: envelopes.map((e) => e.id) } };
      },
    }),
  ];
}
