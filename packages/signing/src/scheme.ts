import { signHex, verifyHex, type HexSchemeOptions } from './hmac-hex.js';
import { signStandardWebhooks, verifyStandardWebhooks } from './standard-webhooks.js';

/** How an endpoint's deliveries are signed (kept structurally equal to `@hookline/core`'s schema). */
export type SignatureScheme =
  | { kind: 'standard-webhooks' }
  | ({ kind: 'hmac-sha256-hex' } & HexSchemeOptions)
  | { kind: 'none' };

/** Signature headers for one delivery body under `scheme`, signed by every secret in `secrets`. */
export function signatureHeaders(scheme: SignatureScheme, secrets: string[], msgId: string, timestamp: Date, body: string): Record<string, string> {
  switch (scheme.kind) {
    case 'standard-webhooks':
      return signStandardWebhooks(secrets, msgId, timestamp, body);
    case 'hmac-sha256-hex':
      return signHex(secrets, msgId, timestamp, body, scheme);
    case 'none':
      return {};
  }
}

/**
 * The subscriber's side: verifies a delivery's headers and raw body under `scheme`, throwing
 * WebhookVerificationFailed with a reason when it does not verify.
 */
export function verify(
  scheme: SignatureScheme,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  secret: string,
  toleranceSeconds = 300,
): void {
  switch (scheme.kind) {
    case 'standard-webhooks':
      verifyStandardWebhooks(secret, headers, rawBody);
      return;
    case 'hmac-sha256-hex':
      verifyHex(secret, headers, rawBody, { ...scheme, ...(scheme.idAndTimestampHeaders ? { toleranceSeconds } : {}) });
      return;
    case 'none':
      return;
  }
}
