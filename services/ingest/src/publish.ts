import { ApiError, type EventEnvelope, type TopicNames } from '@hookline/core';
import { publishEvents as produce, type BatchingProducer } from '@hookline/kafka';

/**
 * Fails fast while the broker is away. The producer retries a publish until the broker answers (so a post
 * that is waiting is answered 202 once the broker is back, and nothing it accepted is lost), but during an
 * outage every new post would join that wait and hold its connection for as long as the outage lasts. Once
 * some publish has waited longer than `stallMs`, new posts are refused at once with 503 `unavailable`: they
 * were never handed to the producer, so a client's retry cannot duplicate them. Posts already waiting keep
 * waiting. The fault suite (`pnpm test:faults`, broker stopped for 20 s) checks both halves.
 */
export class BrokerGate {
  private readonly waiting = new Set<{ since: number }>();

  constructor(private readonly stallMs: number) {}

  async run<T>(publish: () => Promise<T>): Promise<T> {
    const now = Date.now();
    for (const entry of this.waiting) {
      if (now - entry.since > this.stallMs) {
        throw new ApiError('unavailable', `the event broker has not acknowledged events for ${Math.round((now - entry.since) / 1000)} s; nothing was accepted, retry later`);
      }
    }
    const entry = { since: now };
    this.waiting.add(entry);
    try {
      return await publish();
    } finally {
      this.waiting.delete(entry);
    }
  }
}

let gate = new BrokerGate(15_000);

/** Sets how long a publish may wait for the broker before new posts are refused (from INGEST_PUBLISH_STALL_MS). */
export function configurePublishing(options: { stallMs: number }): void {
  gate = new BrokerGate(options.stallMs);
}

/** Puts events on the `events` topic (acks=all), refusing new ones while the broker is stalled. */
export function publishEvents(producer: BatchingProducer, topics: TopicNames, envelopes: EventEnvelope[]): Promise<void> {
  return gate.run(() => produce(producer, topics, envelopes));
}

/**
 * Runs a step that reads from the broker before anything is produced (the config view catching up on a miss)
 * behind the same gate. Its failure (the broker still away when the catch-up gives up) is a 503 as well:
 * nothing was produced, so a retry is safe.
 */
export async function viaBroker<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await gate.run(step);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('unavailable', `the event broker did not answer (${(error as Error).message}); nothing was accepted, retry later`);
  }
}
