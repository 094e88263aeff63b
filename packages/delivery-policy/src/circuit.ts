import type { EndpointRecord } from '@hookline/core';

/** When an endpoint's circuit opens and for how long (all times in ms). */
export interface CircuitSettings {
  /** Share of the attempts in the window that failed (retryable failures: network, timeout, 408, 429, 5xx). */
  failureRatePercent: number;
  /** Fewer attempts than this in the window never open the circuit (one failure out of two is not a pattern). */
  minAttempts: number;
  windowMs: number;
  /** First cool-down; each failed probe doubles it up to `maxCooldownMs`. */
  cooldownMs: number;
  maxCooldownMs: number;
}

/**
 * Defaults for an endpoint that asks for a breaker (`circuitBreaker: {}`): only an endpoint that is mostly
 * failing trips it (80 % of at least 20 attempts in a minute), so occasional errors never do; one that is down
 * stops costing the shared delivery capacity a request per task, and its tasks wait out a cool-down instead.
 * Opt-in, because an open circuit also slows the way to the endpoint's auto-disable threshold (held tasks are
 * not attempts), which changes what a profile's "disabled after N failures" means in time.
 */
export const defaultCircuitSettings: CircuitSettings = {
  failureRatePercent: 80,
  minAttempts: 20,
  windowMs: 60_000,
  cooldownMs: 30_000,
  maxCooldownMs: 600_000,
};

/** The endpoint's breaker settings, or null when it has none. */
export function circuitSettingsOf(endpoint: Pick<EndpointRecord, 'circuitBreaker'>): CircuitSettings | null {
  const setting = endpoint.circuitBreaker;
  if (!setting) return null;
  const d = defaultCircuitSettings;
  const cooldownMs = (setting.cooldownSeconds ?? d.cooldownMs / 1000) * 1000;
  return {
    failureRatePercent: setting.failureRatePercent ?? d.failureRatePercent,
    minAttempts: setting.minAttempts ?? d.minAttempts,
    windowMs: (setting.windowSeconds ?? d.windowMs / 1000) * 1000,
    cooldownMs,
    maxCooldownMs: Math.max(cooldownMs, (setting.maxCooldownSeconds ?? d.maxCooldownMs / 1000) * 1000),
  };
}
