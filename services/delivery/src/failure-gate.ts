import type { AttemptRecord, DeliveryTask, EndpointRecord } from '@hookline/core';
import { type DeliveryPolicy, type DisablingAttempt, disabledReason, reachesDisable } from '@hookline/delivery-policy';

/** Consecutive failures this engine saw of one endpoint, as the endpoint record was when they happened. */
interface FailureRun {
  count: number;
  last: DisablingAttempt;
  /** `updatedAt` of the endpoint record then: any later change (re-enabled, edited) starts a new count. */
  endpointVersion: string;
  /** When this gate began holding the endpoint back (ms). */
  heldSince?: number;
}

/**
 * Stops sending to an endpoint the moment its consecutive failures reach its threshold, instead of when the
 * projector's disable reaches this engine's config view (a round trip through `attempts`, the projector and
 * `config` during which more requests would reach a receiver that is known to fail). What is held back is
 * parked, as it would be once the disable lands.
 *
 * The count only ever trails the projector's (both start over at any success; this one also at a restart, a
 * rebalance or a change of the endpoint, and it leaves send-tests out), so whenever this gate holds an
 * endpoint back, the projector disables it too. The projector decides on its own view of the endpoint, which can
 * trail a re-enable by a moment and then skip the disable; so a hold lasts `holdLimitMs` at most, after which
 * the next request goes out as a probe (its failure holds again and gives the projector another look).
 */
export class FailureGate {
  private readonly runs = new Map<string, FailureRun>();

  constructor(
    private readonly holdLimitMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why a task for `endpoint` must not be sent now, or undefined when it may be. */
  holdsBack(endpoint: EndpointRecord, policy: DeliveryPolicy): string | undefined {
    const run = this.runs.get(endpoint.id);
    if (!run) return undefined;
    if (run.endpointVersion !== endpoint.updatedAt) {
      this.runs.delete(endpoint.id);
      return undefined;
    }
    const threshold = policy.disableAfterConsecutiveFailures;
    if (!reachesDisable(threshold, run.count, run.last)) return undefined;
    run.heldSince ??= this.now();
    if (this.now() - run.heldSince > this.holdLimitMs) {
      // Let one request through; its failure starts a new hold.
      run.count = (threshold ?? 1) - 1;
      run.last = { ...run.last, statusCode: undefined };
      run.heldSince = undefined;
      return undefined;
    }
    return disabledReason(threshold, run.count, run.last);
  }

  /** Counts an attempt's outcome; called before the endpoint's next request may start. */
  record(task: DeliveryTask, endpoint: EndpointRecord, attempt: Pick<AttemptRecord, 'outcome'> & DisablingAttempt): void {
    if (attempt.outcome === 'success') {
      this.runs.delete(endpoint.id);
      return;
    }
    if (task.test) return;
    const run = this.runs.get(endpoint.id);
    const count = run && run.endpointVersion === endpoint.updatedAt ? run.count + 1 : 1;
    this.runs.set(endpoint.id, {
      count,
      last: {
        deliveryId: attempt.deliveryId,
        errorMessage: attempt.errorMessage,
        errorClass: attempt.errorClass,
        statusCode: attempt.statusCode,
      },
      endpointVersion: endpoint.updatedAt,
    });
  }

  /** Partitions moved: another engine may have sent to these endpoints meanwhile. */
  forget(): void {
    this.runs.clear();
  }
}
