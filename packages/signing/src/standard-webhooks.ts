import { createHmac, randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { WebhookVerificationFailed } from './errors.js';

/** A new endpoint secret in the Standard Webhooks format: `whsec_` + base64 of 24 random bytes. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The HMAC key of a `whsec_<base64>` secret. Decoded per call rather than cached: decoding 32 bytes of base64
 * costs a fraction of the HMAC itself, and a module-level cache would keep every endpoint's secret in memory.
 */
function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Standard Webhooks headers for one delivery. Every secret in `secrets` signs (space-separated `v1,<sig>`),
 * which is how a rotation overlap works: receivers holding either the old or the new secret accept.
 * Signing uses node:crypto directly: the official package's pure-JS HMAC costs about four times as much per
 * delivery (bench notes in docs/decisions.md); the property tests check both ways that the official package
 * and this code agree.
 */
export function signStandardWebhooks(secrets: string[], msgId: string, timestamp: Date, body: string): Record<string, string> {
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const signed = `${msgId}.${seconds}.${body}`;
  const signatures = secrets.map((secret) => `v1,${createHmac('sha256', signingKey(secret)).update(signed).digest('base64')}`);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': seconds,
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Verifies a Standard Webhooks delivery with the official package (5-minute timestamp tolerance, constant-time
 * comparison) and returns the parsed body (the raw body when it is not JSON); throws WebhookVerificationFailed with the reason otherwise.
 */
export function verifyStandardWebhooks(secret: string, headers: Record<string, string | string[] | undefined>, body: string): unknown {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value[0]! : value;
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    throw new WebhookVerificationFailed('invalid_secret', (error as Error).message);
  }
  try {
    return webhook.verify(body, flat);
  } catch (error) {
    // The package parses the body as JSON only after the signature matched: a non-JSON body is verified.
    if (error instanceof SyntaxError) return body;
    if (!(error instanceof WebhookVerificationError)) throw error;
    const message = error.message;
    const reason = /header/i.test(message)
      ? 'missing_signature'
      : /timestamp/i.test(message)
        ? 'timestamp_out_of_tolerance'
        : 'signature_mismatch';
    throw new WebhookVerificationFailed(reason, message);
  }
}
