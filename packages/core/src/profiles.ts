import type { SignatureScheme } from './signature-scheme.js';

/** Body shapes the seeds' products promise their subscribers. */
export const payloadFormats = ['standard', 'thig', 'twig', 'taskapp', 'threadhound'] as const;
export type PayloadFormat = (typeof payloadFormats)[number];

/** Everything about how deliveries to an endpoint behave that a product chooses as a whole. */
export interface DeliveryProfile {
  description: string;
  payloadFormat: PayloadFormat;
  signature: SignatureScheme;
  /** Delay before each retry; its length is the number of retries. Each delay must be a configured tier. */
  retrySchedule: string[];
  /** Disable the endpoint after this many consecutive failed attempts; null never disables. */
  disableAfterConsecutiveFailures: number | null;
}

export const profileNames = ['standard', 'thig', 'twig', 'taskapp', 'threadhound'] as const;
export type ProfileName = (typeof profileNames)[number];

export const deliveryProfiles: Record<ProfileName, DeliveryProfile> = {
  standard: {
    description: 'Standard Webhooks signatures and body; retries like Svix over about a day',
    payloadFormat: 'standard',
    signature: { kind: 'standard-webhooks' },
    retrySchedule: ['5s', '5m', '30m', '2h', '5h', '10h'],
    disableAfterConsecutiveFailures: 50,
  },
  thig: {
    description: 'thig.ai: webhook-id/-timestamp/-signature headers, {event,timestamp,data}, 3 retries with exponential backoff within an hour',
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
    description: 'Task app: X-Webhook-Signature sha256=<hex>, X-Webhook-ID/-Timestamp; retries after 1, 5, 30 min; disabled after 3 failures',
    payloadFormat: 'taskapp',
    signature: { kind: 'hmac-sha256-hex', headerName: 'x-webhook-signature', prefix: 'sha256=', idAndTimestampHeaders: true },
    retrySchedule: ['1m', '5m', '30m'],
    disableAfterConsecutiveFailures: 3,
  },
  threadhound: {
    description: 'ThreadHound: {webhookType,actionType,payload}; disabled at the first non-2xx or timeout',
    payloadFormat: 'threadhound',
    signature: { kind: 'standard-webhooks' },
    retrySchedule: [],
    disableAfterConsecutiveFailures: 1,
  },
};



