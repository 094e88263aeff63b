import type { EventEnvelope, TopicNames } from '@hookline/core';
import type { Producer } from './client.js';

/**
 * Puts events on the `events` topic in one produce request and resolves once the broker has them on every
 * in-sync replica (acks=all): an accepted event is never lost. Events are keyed by tenant, so one tenant's
 * events keep their order. Ingest publishes what producers send; the projector publishes `hookline.alert`.
 */
export async function publishEvents(producer: Producer, topics: TopicNames, envelopes: EventEnvelope[]): Promise<void> {
  await producer.sendBatch({
    acks: -1,
    topicMessages: [{ topic: topics.events, messages: envelopes.map((e) => ({ key: e.tenantId, value: JSON.stringify(e) })) }],
  });
}
