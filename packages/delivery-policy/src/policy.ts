import { type DeliveryTask, type EndpointRecord, type PayloadSettings, parseDuration, valueAt } from '@hookline/core';
import { type SignatureScheme, signingSchemeNames, signingSchemeOf } from '@hookline/signing';
import { type CircuitSettings, circuitSettingsOf } from './circuit.js';
import { findPayloadFormat, type PayloadFormatName, payloadFormatNames } from './payloads/registry.js';
import { defaultProfile, deliveryProfiles, isProfileName, profileNames } from './profiles.js';

/** An endpoint's effective delivery behaviour: its profile with the endpoint's overrides applied. */
export interface DeliveryPolicy {
  payloadFormat: PayloadFormatName;
  /** What the payload format reads of the endpoint (ThreadHound's community id and type names). */
  payloadSettings: PayloadSettings;
  signature: SignatureScheme;
  retryDelaysMs: number[];
  retryTiers: string[];
  disableAfterConsecutiveFailures: number | null;
  timeoutMs: number | undefined;
  maxConcurrency: number | undefined;
  rateLimitPerSecond: number | undefined;
  /** Null when the endpoint has no circuit breaker (always for strict ordering: holding tasks back would reorder them). */
  circuitBreaker: CircuitSettings | null;
  /** Strict ordering per endpoint, or per value of the key path; null when deliveries may overtake each other. */
  ordering: { keyPath: string | undefined } | null;
}

/** A stored endpoint names a profile, payload format or signature scheme this build does not have. */
export class UnknownDeliverySetting extends Error {
  constructor(
    readonly setting: 'profile' | 'payloadFormat' | 'signature',
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(`unknown ${setting} ${value}; known: ${known.join(', ')}`);
    this.name = 'UnknownDeliverySetting';
  }
}

/** A retry schedule uses delays that are not retry tiers: those retries would go to a topic nobody reads. */
export class UnknownRetryTier extends Error {
  constructor(
    readonly where: string,
    readonly unknown: string[],
    readonly available: readonly string[],
  ) {
    super(`${where}: unknown tiers ${unknown.join(', ')}; available: ${available.join(', ')}`);
    this.name = 'UnknownRetryTier';
  }
}

export function resolvePolicy(endpoint: EndpointRecord): DeliveryPolicy {
  const profileName = endpoint.profile ?? defaultProfile;
  if (!isProfileName(profileName)) throw new UnknownDeliverySetting('profile', profileName, profileNames);
  const profile = deliveryProfiles[profileName];
  let signature = (endpoint.signature as SignatureScheme | undefined) ?? profile.signature;
  if (endpoint.signatureHeaderName) {
    signature =
      signature.kind === 'hmac-sha256-hex'
        ? { ...signature, headerName: endpoint.signatureHeaderName }
        : { kind: 'hmac-sha256-hex', headerName: endpoint.signatureHeaderName };
  }
  try {
    signingSchemeOf(signature);
  } catch {
    throw new UnknownDeliverySetting('signature', signature.kind, signingSchemeNames);
  }
  const payloadFormat = endpoint.payloadFormat ?? profile.payloadFormat;
  if (!findPayloadFormat(payloadFormat)) throw new UnknownDeliverySetting('payloadFormat', payloadFormat, payloadFormatNames);
  const retryTiers = [...(endpoint.retrySchedule ?? profile.retrySchedule)];
  return {
    payloadFormat: payloadFormat as PayloadFormatName,
    payloadSettings: {
      ...(endpoint.communityId === undefined ? {} : { communityId: endpoint.communityId }),
      ...(endpoint.webhookTypes === undefined ? {} : { webhookTypes: endpoint.webhookTypes }),
    },
    signature,
    retryTiers,
    retryDelaysMs: retryTiers.map(parseDuration),
    disableAfterConsecutiveFailures:
      endpoint.disableAfterConsecutiveFailures === undefined
        ? profile.disableAfterConsecutiveFailures
        : endpoint.disableAfterConsecutiveFailures,
    timeoutMs: endpoint.timeoutMs,
    maxConcurrency: endpoint.maxConcurrency,
    rateLimitPerSecond: endpoint.rateLimitPerSecond,
    circuitBreaker: endpoint.ordering === 'strict' ? null : circuitSettingsOf(endpoint),
    ordering: endpoint.ordering === 'strict' ? { keyPath: endpoint.orderingKey } : null,
  };
}

/**
 * Throws UnknownRetryTier when `schedule` uses a delay that is not one of `tiers`. The admin API checks an
 * endpoint's `retrySchedule` with it; `validateProfiles` checks every profile's.
 */
export function validateSchedule(schedule: readonly string[] | undefined, tiers: readonly string[], where = 'retrySchedule'): void {
  const unknown = schedule?.filter((delay) => !tiers.includes(delay)) ?? [];
  if (unknown.length) throw new UnknownRetryTier(where, unknown, tiers);
}

/** At start: every profile's schedule must use only tiers that exist (`HOOKLINE_RETRY_TIERS`). */
export function validateProfiles(tiers: readonly string[]): void {
  for (const name of profileNames) validateSchedule(deliveryProfiles[name].retrySchedule, tiers, `profile ${name}`);
}

/** The exact body posted for `task` under `policy` (what is signed). */
export function renderBody(policy: DeliveryPolicy, task: DeliveryTask): string {
  return payloadFormatOf(policy).render(task, policy.payloadSettings);
}

/** Headers the payload format ties to its body; sent after (over) the signature's headers. */
export function payloadHeaders(policy: DeliveryPolicy, task: DeliveryTask): Record<string, string> {
  return payloadFormatOf(policy).headers?.(task) ?? {};
}

/**
 * Requests in flight at once to the endpoint. An endpoint disabled at its first failure gets one at a time:
 * a second request in flight could reach a receiver that has just failed, before anyone knows it failed.
 */
export function sendingConcurrency(policy: DeliveryPolicy, fallback: number): number {
  // Strict ordering without a key sends one at a time; with a key, one at a time per key, in parallel across keys.
  if (policy.disableAfterConsecutiveFailures === 1 || (policy.ordering && !policy.ordering.keyPath)) return 1;
  return policy.maxConcurrency ?? fallback;
}

/** The lane of a strictly ordered task: deliveries in one lane wait for each other (the key's value as JSON). */
export function orderingLaneOf(task: DeliveryTask, policy: DeliveryPolicy): string {
  const keyPath = policy.ordering?.keyPath;
  if (!keyPath) return task.endpointId;
  return `${task.endpointId}\u0000${JSON.stringify(valueAt(task.event, keyPath)) ?? ''}`;
}

/** The parts of a lane from `orderingLaneOf`: its endpoint, and the key's value as JSON (null without a key path). */
export function orderingLaneParts(lane: string): { endpointId: string; key: string | null } {
  const cut = lane.indexOf('\u0000');
  return cut < 0 ? { endpointId: lane, key: null } : { endpointId: lane.slice(0, cut), key: lane.slice(cut + 1) };
}

function payloadFormatOf(policy: DeliveryPolicy) {
  const format = findPayloadFormat(policy.payloadFormat);
  if (!format) throw new UnknownDeliverySetting('payloadFormat', policy.payloadFormat, payloadFormatNames);
  return format;
}
