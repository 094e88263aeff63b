import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DeliveryMetrics = ReturnType<typeof createDeliveryMetrics>;

export function createDeliveryMetrics(
  registry: Registry,
  inFlight: () => number,
  circuitsNotClosed: () => { open: number; halfOpen: number } = () => ({ open: 0, halfOpen: 0 }),
  orderedBlocked: () => { lanes: number; oldestSeconds: number } = () => ({ lanes: 0, oldestSeconds: 0 }),
) {
  return {
    orderedLanesBlocked: new Gauge({
      name: 'hookline_ordered_lanes_blocked',
      help: 'Strictly ordered lanes (endpoints or ordering keys) whose head failed and is being retried in place',
      registers: [registry],
      collect() {
        this.set(orderedBlocked().lanes);
      },
    }),
    orderedBlockedSeconds: new Gauge({
      name: 'hookline_ordered_oldest_block_seconds',
      help: 'How long the longest-blocked strictly ordered lane has been waiting for its head to succeed',
      registers: [registry],
      collect() {
        this.set(orderedBlocked().oldestSeconds);
      },
    }),
    circuitTransitions: new Counter({
      name: 'hookline_circuit_transitions_total',
      help: 'Endpoint circuit breaker changes, by the state entered',
      labelNames: ['to'],
      registers: [registry],
    }),
    circuits: new Gauge({
      name: 'hookline_circuits',
      help: 'Endpoints whose circuit breaker is open or half-open in this instance',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const { open, halfOpen } = circuitsNotClosed();
        this.set({ state: 'open' }, open);
        this.set({ state: 'half-open' }, halfOpen);
      },
    }),
    attempts: new Counter({
      name: 'hookline_deliveries_total',
      help: 'Delivery attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'hookline_attempt_duration_seconds',
      help: 'Time from request start to response or error',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'hookline_retries_scheduled_total',
      help: 'Retries scheduled, by tier',
      labelNames: ['tier'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'hookline_dead_lettered_total',
      help: 'Tasks sent to the dead-letter topic',
      labelNames: ['kind'],
      registers: [registry],
    }),
    deferred: new Counter({
      name: 'hookline_deferred_total',
      help: 'Tasks deferred because their endpoint backlog was full or its circuit was open',
      registers: [registry],
    }),
    retryLag: new Histogram({
      name: 'hookline_retry_tier_lag_seconds',
      help: 'How late a retry left its tier topic after it fell due',
      labelNames: ['tier'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'hookline_deliveries_in_flight',
      help: 'Tasks accepted and not finished',
      registers: [registry],
      collect() {
        this.set(inFlight());
      },
    }),
  };
}
