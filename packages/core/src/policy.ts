import { parseDuration } from './durations.js';
import { deliveryProfiles, type PayloadFormat } from './profiles.js';
import type { EndpointRecord } from './schemas.js';
import type { SignatureScheme } from './signature-scheme.js';

/** An endpoint's effective delivery behaviour: its profile with the endpoint's overrides applied. */
export interface DeliveryPolicy {
  payloadFormat: PayloadFormat;
  signature: SignatureScheme;
  retryDelaysMs: number[];
  retryTiers: string[];
  disableAfterConsecutiveFailures: number | null;
  timeoutMs: number | undefined;
  maxConcurrency: number | undefined;
  rateLimitPerSecond: number | undefined;
}

export function resolvePolicy(endpoint: EndpointRecord): DeliveryPolicy {
  const profile = deliveryProfiles[endpoint.profile ?? 'standard'];
  let signature = endpoint.signature ?? profile.signature;
  if (endpoint.signatureHeaderName) {
    signature = signature.kind === 'hmac-sha256-hex' ? { ...signature, headerName: endpoint.signatureHeaderName } : { kind: 'hmac-sha256-hex', headerName: endpoint.signatureHeaderName };
  }
  const retryTiers = endpoint.retrySchedule ?? profile.retrySchedule;
  return {
    payloadFormat: endpoint.payloadFormat ?? profile.payloadFormat,
    signature,
    retryTiers,
    retryDelaysMs: retryTiers.map(parseDuration),
    disableAfterConsecutiveFailures:
      endpoint.disableAfterConsecutiveFailures === undefined ? profile.disableAfterConsecutiveFailures : endpoint.disableAfterConsecutiveFailures,
    timeoutMs: endpoint.timeoutMs,
    maxConcurrency: endpoint.maxConcurrency,
    rateLimitPerSecond: endpoint.rateLimitPerSecond,
  };
}
