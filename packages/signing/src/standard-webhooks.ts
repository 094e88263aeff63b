import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new endpoint secret in the Standard Webhooks format: `whsec_` + base64 of 24 random bytes. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface SignedHeaders {
  [name: string]: string;
}

/**
 * Standard Webhooks headers for one delivery. Every secret in `secrets` signs (space-separated `v1,<sig>`),
 * which is how a rotation overlap works: receivers holding either the old or the new secret accept.
 */
export function signStandardWebhooks(secrets: string[], msgId: string, timestamp: Date, body: string): SignedHeaders {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(msgId, timestamp, body));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** Verifies a Standard Webhooks delivery; throws with the reason when it does not verify. */
export function verifyStandardWebhooks(secret: string, headers: Record<string, string>, body: string): unknown {
  return new Webhook(secret).verify(body, headers);
}
