import { EventEmitter } from 'node:events';
import type { ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import { vi } from 'vitest';

/** Just enough of a kafkajs consumer to be started, crashed and stopped. */
export class StubConsumer extends EventEmitter {
  readonly events = { CRASH: 'crash', GROUP_JOIN: 'group_join', REBALANCING: 'rebalancing', STOP: 'stop' };
  readonly connect = vi.fn(async () => undefined);
  readonly subscribe = vi.fn(async () => undefined);
  /** What `run` was given: a test hands batches to `eachBatch` itself. */
  eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  readonly run = vi.fn(async (config: ConsumerRunConfig) => {
    this.eachBatch = config.eachBatch;
  });
  readonly disconnect = vi.fn(async () => undefined);
  readonly pause = vi.fn();
  readonly commitOffsets = vi.fn(async () => undefined);

  /** What kafkajs emits after a crash: `restart` when it starts the consumer again itself. */
  crash(restart: boolean): void {
    this.emit(this.events.CRASH, { payload: { error: new Error('The coordinator is not aware of this member'), groupId: 'g', restart } });
  }
}
