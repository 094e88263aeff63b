import type { HealthVerdict } from '@hookline/core';
import { PublishError } from '../errors.js';
import type { OutgoingRecord, RecordPosition, RecordPublisher, TopicRecords } from '../port.js';
import type { TopicStore } from './topic-store.js';

/** What a test may do to the publishers of a memory log (make writes fail, as a broker outage would). */
export interface PublishFaults {
  failure: Error | undefined;
}

/** Appends at once, in call order; fails every call while `faults.failure` is set. */
export class MemoryPublisher implements RecordPublisher {
  private closed = false;

  constructor(
    private readonly store: TopicStore,
    private readonly faults: PublishFaults,
  ) {}

  async publish(batches: TopicRecords[]): Promise<void> {
    this.check();
    for (const { topic, records } of batches) for (const record of records) this.store.append(topic, record);
  }

  async append(topic: string, record: OutgoingRecord): Promise<RecordPosition> {
    this.check();
    return this.store.append(topic, record);
  }

  async flush(): Promise<void> {}

  health(): HealthVerdict {
    if (this.closed) return { status: 'down', reason: 'producer closed' };
    if (this.faults.failure) return { status: 'down', reason: `producer failing: ${this.faults.failure.message}` };
    return { status: 'ok' };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new PublishError('publisher closed');
    if (this.faults.failure) throw this.faults.failure;
  }
}
