/**
 * A health verdict. `degraded`: the service works, worse than it should (a lagging consumer); `down`: it cannot
 * do its job (a crashed consumer, an unreachable database). `/health` answers 200 for the first two, 503 for down.
 */
export type HealthStatus = 'ok' | 'degraded' | 'down';
export interface HealthVerdict {
  status: HealthStatus;
  reason?: string;
}

const severity: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/** The worst of several verdicts, with every reason that is not ok. */
export function worstOf(verdicts: HealthVerdict[]): HealthVerdict {
  const status = verdicts.reduce<HealthStatus>((worst, v) => (severity[v.status] > severity[worst] ? v.status : worst), 'ok');
  const reasons = verdicts.filter((v) => v.status !== 'ok' && v.reason).map((v) => v.reason);
  return status === 'ok' ? { status } : { status, reason: reasons.join('; ') };
}
