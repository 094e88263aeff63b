import type { SignatureScheme } from '@hookline/signing';
import type { PayloadFormatName } from './payloads/registry.js';

/** Everything about how deliveries to an endpoint behave that a product chooses as a whole. */
export interface DeliveryProfile {
  description: string;
  payloadFormat: PayloadFormatName;
  signature: SignatureScheme;
  /** Delay before each retry; its length is the number of retries. Each delay must be a configured tier. */
  retrySchedule: readonly string[];
  /** Disable the endpoint after this many consecutive failed attempts; null never disables. */
  disableAfterConsecutiveFailures: number | null;
}

/**
 * The seeds' products as data. Adding a profile is one entry here and a row in the README's table (a test
 * checks the table names every profile); delivery refuses to start when a schedule uses a tier that does
 * not exist (`validateProfiles`).
 */
export const deliveryProfiles = {
  standard: {
    description: 'Standard Webhooks signatures and body; retries like Svix over about a day',
    payloadFormat: 'standard',
    signature: { kind: 'standard-webhooks' },
    retrySchedule: ['5s', '5m', '30m', '2h', '5h', '10h'],
    disableAfterConsecutiveFailures: 50,
  },
  thig: {
    description:
      'thig.ai: webhook-id/-timestamp/-signature headers, {event,timestamp,data}, 3 retries with exponential backoff within an hour',
    payloadFormat: 'thig',
    signature: { kind: 'standard-webhooks' },
    retrySchedule: ['1m', '5m', '30m'],
    disableAfterConsecutiveFailures: 10,
  },
  twig: {
    description: 'Twig: X-Twig-Signature hex HMAC of the raw body; immediate, 5 s, 30 s, 5 min, 1 h; failed after 5 attempts',
    payloadFormat: 'twig',
    signature: { kind: 'hmac-sha256-hex', headerName: 'x-twig-signature' },
    retrySchedule: ['5s', '30s', '5m', '1h'],
    disableAfterConsecutiveFailures: null,
  },
  taskapp: {
    description:
      'Task app: X-Webhook-Signature sha256=<hex>, X-Webhook-ID (the webhook id, as webhook_id in the body), X-Webhook-Timestamp, X-Webhook-Delivery-ID; retries after 1, 5, 30 min; disabled after 3 failures',
    payloadFormat: 'taskapp',
    signature: { kind: 'hmac-sha256-hex', headerName: 'x-webhook-signature', prefix: 'sha256=', idAndTimestampHeaders: true },
    retrySchedule: ['1m', '5m', '30m'],
    disableAfterConsecutiveFailures: 3,
  },
  threadhound: {
    description:
      'ThreadHound: {webhookType,actionType,payload:{communityId,timestamp,...}}; one request at a time, disabled at the first non-2xx or timeout',
    payloadFormat: 'threadhound',
    signature: { kind: 'standard-webhooks' },
    retrySchedule: [],
    disableAfterConsecutiveFailures: 1,
  },
} as const satisfies Record<string, DeliveryProfile>;

export type ProfileName = keyof typeof deliveryProfiles;
export const profileNames = Object.keys(deliveryProfiles) as [ProfileName, ...ProfileName[]];
/** The profile of an endpoint that names none. */
export const defaultProfile: ProfileName = 'standard';

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(deliveryProfiles, name);
}
