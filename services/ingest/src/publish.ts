import { ApiError, type EventEnvelope } from '@hookline/core';
import type { RecordPublisher } from '@hookline/kafka';
import type { Tracing } from '@hookline/tracing';
import type { EntryPlanner } from './plan.js';
import { publishWithTraces } from './tracing.js';

/**
 * Fails fast while the broker is away. The publisher retries a publish until the broker answers (so a post
 * that is waiting is answered 202 once the broker is back, and nothing it accepted is lost), but during an
 * outage every new post would join that wait and hold its connection for as long as the outage lasts. Once
 * some publish has waited longer than `stallMs`, new posts are refused at once with 503 `unavailable`: they
 * were never handed to the publisher, so a client's retry cannot duplicate them. Posts already waiting keep
 * waiting. The fault suite (`pnpm test:faults`, broker stopped for 20 s) checks both halves.
 */
export class BrokerGate {
  private readonly waiting = new Set<{ since: number }>();

  constructor(
    private readonly stallMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(step: () => Promise<T>): Promise<T> {
    const now = this.now();
    for (const entry of this.waiting) {
      if (now - entry.since > this.stallMs) {
        throw new ApiError(
          'unavailable',
          `the event broker has not acknowledged events for ${Math.round((now - entry.since) / 1000)} s; nothing was accepted, retry later`,
        );
      }
    }
    const entry = { since: now };
    this.waiting.add(entry);
    try {
      return await step();
    } finally {
      this.waiting.delete(entry);
    }
  }

  /**
   * Runs a step that reads from the broker before anything is published (the config view catching up on a
   * miss) behind the gate. Its failure (the broker still away when the catch-up gives up) is a 503 as well:
   * nothing was published, so a retry is safe.
   */
  async viaBroker<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await this.run(step);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError('unavailable', `the event broker did not answer (${(error as Error).message}); nothing was accepted, retry later`);
    }
  }
}

/**
 * Puts events on the `events` topic and resolves once the broker has them on every in-sync replica (acks=all):
 * an accepted event is never lost. Events are keyed by tenant, so one tenant's events keep their order. The
 * events of concurrent callers share produce requests (one round trip per request was ingest's ceiling, about
 * 130 events/s with `pnpm bench` on 2 cores). New events are refused while the broker is stalled (`BrokerGate`).
 */
export class EventPublisher {
  constructor(
    private readonly publisher: RecordPublisher,
    /** Turns the events into records: their tasks where ingest plans them, then the events. */
    private readonly planner: EntryPlanner,
    readonly gate: BrokerGate,
    private readonly tracing?: Tracing,
  ) {}

  /** `traceparent`: the caller's trace context (W3C), continued by each event's `ingest` span. */
  publish(envelopes: EventEnvelope[], traceparent?: string): Promise<void> {
    return publishWithTraces(this.tracing, envelopes, traceparent, async (traced) => {
      const records = this.planner.recordsOf(traced);
      await this.gate.run(() => this.publisher.publish(records));
    });
  }

  /** See `BrokerGate.viaBroker`. */
  viaBroker<T>(step: () => Promise<T>): Promise<T> {
    return this.gate.viaBroker(step);
  }
}
