import type { ConfigView } from '@hookline/config';
import { ApiError, type EventEnvelope } from '@hookline/core';
import { jsonBody, validate } from '@hookline/service';
import type { IdempotencyKeys } from '@hookline/store';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
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

function accepted(envelope: Pick<EventEnvelope, 'id' | 'type' | 'timestamp'>) {
  return { id: envelope.id, type: envelope.type, timestamp: envelope.timestamp };
}

/** `POST /v1/events` (one event, optionally with an Idempotency-Key) and `POST /v1/events/batch`. */
export function eventRoutes({ config, publisher, logger, idempotency, maxBodyBytes, eventsIn }: EventRouteDeps): Router {
  const router = Router();
  const schemas = new EventSchemas(config);

  router.post('/v1/events', ...jsonBody(maxBodyBytes), async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    const rawKey = req.headers['idempotency-key'];
    const key = rawKey === undefined ? undefined : validate(idempotencyKey, rawKey, 'Idempotency-Key header');
    const envelope = toEnvelope(validate(eventInput, req.body, 'event'), caller.tenantId);
    // A catalog miss catches the config view up, which needs the broker: behind the stall gate like publishing.
    await publisher.viaBroker(() => schemas.check(caller.tenantId, [envelope]));
    if (key === undefined) {
      await publisher.publish([envelope]);
      eventsIn.inc();
      res.status(202).json(accepted(envelope));
      return;
    }

    const claim = await idempotency.claim(caller.tenantId, key, bodyHash(req.body), {
      eventId: envelope.id,
      eventTimestamp: envelope.timestamp,
    });
    switch (claim.outcome) {
      case 'replayed':
        res.status(200).json(accepted({ id: claim.eventId, type: envelope.type, timestamp: claim.eventTimestamp }));
        return;
      case 'mismatch':
        throw new ApiError('conflict', 'this Idempotency-Key was already used with a different request body');
      case 'busy':
        throw new ApiError('conflict', 'a request with this Idempotency-Key is still being processed; retry later');
      case 'claimed': {
        // A takeover of an abandoned claim reuses that claim's id and timestamp, so the event is the same one.
        const claimed = { ...envelope, id: claim.eventId, timestamp: claim.eventTimestamp };
        try {
          await publisher.publish([claimed]);
        } catch (error) {
          await idempotency.release(claim).catch((e: unknown) => logger.warn({ err: e }, 'could not release idempotency key'));
          throw error;
        }
        eventsIn.inc();
        // The event is on the broker whatever happens next; a key left pending is taken over after its lease
        // with the same event id, so subscribers can still deduplicate.
        await idempotency.complete(claim).catch((e: unknown) => logger.warn({ err: e }, 'could not complete idempotency key'));
        res.status(202).json(accepted(claimed));
        return;
      }
    }
  });

  router.post('/v1/events/batch', ...jsonBody(maxBodyBytes), async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    if (req.headers['idempotency-key'] !== undefined) {
      // Refused rather than ignored: a client sending one believes its retries are safe.
      throw new ApiError('validation_failed', 'Idempotency-Key is supported on POST /v1/events only', [
        { path: 'Idempotency-Key', message: 'not supported on batches' },
      ]);
    }
    // Every item is validated before anything is produced: one bad item rejects the whole batch.
    const { events } = validate(eventBatchInput, req.body, 'batch');
    await publisher.viaBroker(() => schemas.check(caller.tenantId, events, (i) => `events.${i}.`));
    const now = new Date();
    const envelopes = events.map((event) => toEnvelope(event, caller.tenantId, now));
    await publisher.publish(envelopes);
    eventsIn.inc(envelopes.length);
    res.status(202).json({ ids: envelopes.map((e) => e.id) });
  });

  return router;
}
