import { authenticate, type TopicNames } from '@hookline/core';
import type { ConfigView, Producer } from '@hookline/kafka';
import { createHttpApp, errorHandler, jsonBody, notFoundHandler, validate } from '@hookline/service';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { eventInput, toEnvelope } from './events.js';

export interface IngestDeps {
  config: ConfigView;
  producer: Producer;
  topics: TopicNames;
  logger: Logger;
  metrics: Registry;
  maxBodyBytes: number;
}

export function createIngestApp({ config, producer, topics, logger, metrics, maxBodyBytes }: IngestDeps): Express {
  const eventsIn = new Counter({ name: 'hookline_events_in_total', help: 'Events accepted by ingest', registers: [metrics] });
  const app = createHttpApp({ logger, metrics });

  app.post('/v1/events', ...jsonBody(maxBodyBytes), async (req, res) => {
    const key = authenticate(config.state, req.headers.authorization);
    const envelope = toEnvelope(validate(eventInput, req.body, 'event'), key.tenantId);
    // Answer only once the broker has the event on every in-sync replica: an accepted event is never lost.
    await producer.send({
      topic: topics.events,
      acks: -1,
      messages: [{ key: envelope.tenantId, value: JSON.stringify(envelope) }],
    });
    eventsIn.inc();
    res.status(202).json({ id: envelope.id, type: envelope.type, timestamp: envelope.timestamp });
  });

  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
