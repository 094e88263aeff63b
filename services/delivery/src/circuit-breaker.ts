import type { CircuitSettings } from '@hookline/delivery-policy';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** A change of one endpoint's circuit, for metrics, logs and the record the projector keeps. */
export interface CircuitTransition {
  endpointId: string;
  from: CircuitState;
  to: CircuitState;
  at: number;
  /** Why: the failure rate that opened it, or the probe's outcome. */
  reason: string;
  /** Failed and total attempts in the window when it opened. */
  failed?: number;
  attempts?: number;
  /** When an open circuit lets its next probe through. */
  until?: number;
}

/** Whether a task may be sent now: a probe is the one request let through a half-open circuit. */
export type CircuitAdmission = { send: true; probe: boolean } | { send: false; retryInMs: number };

interface Circuit {
  state: CircuitState;
  /** Outcomes inside the window, oldest first: [time, failed]. */
  window: [number, boolean][];
  openedAt: number;
  cooldownMs: number;
  probeInFlight: boolean;
}

/** Most outcomes kept per endpoint: the rate over the latest ones is as good as over more. */
const windowCap = 1_000;

/**
 * Per-endpoint circuit breakers. Closed: every task goes out and its outcome counts. When the failure rate of
 * the window reaches the threshold, the circuit opens: tasks are not sent but deferred (the engine puts them on
 * a retry tier due when the cool-down ends, in the order they came, without counting an attempt). After the
 * cool-down it is half-open: one task goes out as a probe while the others keep waiting; success closes the
 * circuit, failure opens it again for twice the cool-down (up to the maximum).
 *
 * The state lives in the engine that owns the endpoint's partition (tasks are keyed by endpoint), so one
 * breaker sees all of an endpoint's traffic; after a rebalance the new owner starts closed and learns again.
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly onTransition: (transition: CircuitTransition) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  admit(endpointId: string, settings: CircuitSettings | null): CircuitAdmission {
    const circuit = settings ? this.circuits.get(endpointId) : undefined;
    if (!circuit || circuit.state === 'closed') return { send: true, probe: false };
    const now = this.now();
    if (circuit.state === 'open') {
      const remaining = circuit.openedAt + circuit.cooldownMs - now;
      if (remaining > 0) return { send: false, retryInMs: remaining };
      this.change(endpointId, circuit, 'half-open', 'cool-down over; one probe goes out');
    }
    if (circuit.probeInFlight) return { send: false, retryInMs: Math.max(1_000, Math.min(circuit.cooldownMs, 5_000)) };
    circuit.probeInFlight = true;
    return { send: true, probe: true };
  }

  /** Counts an outcome; `failed` is a failure that says the endpoint is unhealthy (not a 4xx refusal). */
  record(endpointId: string, settings: CircuitSettings | null, failed: boolean, probe: boolean): void {
    if (!settings) {
      const circuit = this.circuits.get(endpointId);
      // Turned off while not closed: say so, or the state on record would stay open.
      if (circuit && circuit.state !== 'closed') this.change(endpointId, circuit, 'closed', 'the circuit breaker was turned off');
      this.circuits.delete(endpointId);
      return;
    }
    const now = this.now();
    let circuit = this.circuits.get(endpointId);
    if (!circuit) {
      if (!failed) return; // A healthy endpoint costs no memory until it fails.
      circuit = { state: 'closed', window: [], openedAt: 0, cooldownMs: settings.cooldownMs, probeInFlight: false };
      this.circuits.set(endpointId, circuit);
    }
    if (probe || circuit.state === 'half-open') {
      circuit.probeInFlight = false;
      if (failed) {
        circuit.cooldownMs = Math.min(circuit.cooldownMs * 2, settings.maxCooldownMs);
        circuit.openedAt = now;
        this.change(endpointId, circuit, 'open', 'the probe failed', { at: now, until: now + circuit.cooldownMs });
      } else {
        this.change(endpointId, circuit, 'closed', 'the probe succeeded');
        this.circuits.delete(endpointId);
      }
      return;
    }
    if (circuit.state !== 'closed') return; // A request sent before the circuit opened.
    circuit.window.push([now, failed]);
    while (circuit.window.length > windowCap || (circuit.window.length > 0 && circuit.window[0]![0] <= now - settings.windowMs)) {
      circuit.window.shift();
    }
    const failures = circuit.window.filter(([, f]) => f).length;
    if (failures === 0) {
      this.circuits.delete(endpointId);
      return;
    }
    const attempts = circuit.window.length;
    if (attempts >= settings.minAttempts && failures * 100 >= settings.failureRatePercent * attempts) {
      circuit.openedAt = now;
      circuit.cooldownMs = settings.cooldownMs;
      circuit.window = [];
      this.change(endpointId, circuit, 'open', `${failures} of the last ${attempts} attempts failed`, {
        at: now,
        failed: failures,
        attempts,
        until: now + circuit.cooldownMs,
      });
    }
  }

  /** The probe admitted for the endpoint was not sent after all (parked, handed back): let another one go. */
  cancelProbe(endpointId: string): void {
    const circuit = this.circuits.get(endpointId);
    if (circuit) circuit.probeInFlight = false;
  }

  /** Endpoints whose circuit is not closed, for the metrics gauge. */
  countNotClosed(): { open: number; halfOpen: number } {
    let open = 0;
    let halfOpen = 0;
    for (const circuit of this.circuits.values()) {
      if (circuit.state === 'open') open++;
      else if (circuit.state === 'half-open') halfOpen++;
    }
    return { open, halfOpen };
  }

  /**
   * Partitions moved: the endpoints may be another engine's now, which starts closed. Circuits not closed say
   * so, so the state on record is the one that holds.
   */
  forget(): void {
    for (const [endpointId, circuit] of this.circuits) {
      if (circuit.state !== 'closed') this.change(endpointId, circuit, 'closed', 'partitions moved; the new owner starts closed');
    }
    this.circuits.clear();
  }

  private change(endpointId: string, circuit: Circuit, to: CircuitState, reason: string, extra: Partial<CircuitTransition> = {}): void {
    const from = circuit.state;
    circuit.state = to;
    this.onTransition({ endpointId, from, to, at: this.now(), reason, ...extra });
  }
}
