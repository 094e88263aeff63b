import type { HealthVerdict } from '@hookline/core';
import type { Consumer } from 'kafkajs';

/**
 * Follows one consumer's lifecycle events from its creation on (so none is missed): `down` after a crash it
 * will not recover from or after it stopped, `degraded` while it (re)joins its group, `ok` once it has
 * partitions to work on (or an empty assignment).
 */
export class ConsumerHealth {
  private verdict: HealthVerdict;

  constructor(consumer: Consumer, name: string) {
    this.verdict = { status: 'degraded', reason: `${name}: joining its consumer group` };
    const { CRASH, GROUP_JOIN, REBALANCING, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, () => (this.verdict = { status: 'ok' }));
    consumer.on(REBALANCING, () => (this.verdict = { status: 'degraded', reason: `${name}: rebalancing` }));
    consumer.on(CRASH, ({ payload }) => {
      const message = payload.error?.message ?? 'unknown error';
      this.verdict = payload.restart
        ? { status: 'degraded', reason: `${name}: restarting after a crash: ${message}` }
        : { status: 'down', reason: `${name}: crashed: ${message}` };
    });
    consumer.on(STOP, () => (this.verdict = { status: 'down', reason: `${name}: stopped` }));
  }

  check(): HealthVerdict {
    return this.verdict;
  }
}
