import type { EndpointStatusRecord, TopicNames } from '@hookline/core';
import { orderingLaneParts } from '@hookline/delivery-policy';
import type { RecordPublisher } from '@hookline/kafka';
import type { Logger } from 'pino';
import type { CircuitTransition } from './circuit-breaker.js';
import type { LaneChange } from './ordered-lanes.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The record of a circuit change on `attempts`. */
export function circuitRecord(t: CircuitTransition): EndpointStatusRecord {
  return {
    kind: 'circuit-transition',
    v: 1,
    endpointId: t.endpointId,
    from: t.from,
    to: t.to,
    at: iso(t.at),
    reason: t.reason,
    ...(t.failed === undefined ? {} : { failed: t.failed }),
    ...(t.attempts === undefined ? {} : { attempts: t.attempts }),
    ...(t.until === undefined ? {} : { until: iso(t.until) }),
  };
}

/** The record of a lane that blocked or cleared on `attempts`. */
export function laneRecord(change: LaneChange): EndpointStatusRecord {
  const lane = orderingLaneParts(change.lane);
  return change.blocked
    ? { kind: 'lane-blocked', v: 1, ...lane, since: iso(change.since) }
    : { kind: 'lane-cleared', v: 1, ...lane, at: iso(change.at), reason: change.reason };
}

/**
 * Writes status records to `attempts`, keyed by endpoint, one after another (so an endpoint's changes land in
 * the order they happened), retrying a refused write: the state they describe would otherwise read wrong
 * until the next change. Sending never waits for them.
 */
export class StatusWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: RecordPublisher,
    private readonly topics: TopicNames,
    private readonly logger: Logger,
  ) {}

  write(record: EndpointStatusRecord): void {
    const batch = [{ topic: this.topics.attempts, records: [{ key: record.endpointId, value: JSON.stringify(record) }] }];
    this.chain = this.chain.then(() => this.publish(batch, record));
  }

  /** Resolves when every status record written so far is acknowledged. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private async publish(batch: Parameters<RecordPublisher['publish']>[0], record: EndpointStatusRecord): Promise<void> {
    for (let delay = 100, tries = 0; ; delay = Math.min(delay * 2, 5_000), tries++) {
      try {
        return await this.publisher.publish(batch);
      } catch (error) {
        this.logger.error(
          { err: error, kind: record.kind, endpointId: record.endpointId, tries },
          'writing an endpoint status record failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
