import { type SignatureScheme, signingSchemeOf } from './registry.js';
import type { RequestHeaders } from './signing-scheme.js';

/** Signature headers for one delivery body under `scheme`, signed by every secret in `secrets`. */
export function signatureHeaders(
  scheme: SignatureScheme,
  secrets: string[],
  msgId: string,
  timestamp: Date,
  body: string,
): Record<string, string> {
  return signingSchemeOf(scheme).sign(secrets, msgId, timestamp, body, scheme);
}

/**
 * The subscriber's side: verifies a delivery's headers and raw body under `scheme`, throwing
 * WebhookVerificationFailed with a reason when it does not verify.
 */
export function verify(scheme: SignatureScheme, headers: RequestHeaders, rawBody: string, secret: string, toleranceSeconds = 300): void {
  signingSchemeOf(scheme).verify(secret, headers, rawBody, scheme, toleranceSeconds);
}
