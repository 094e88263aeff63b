import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationFailed } from './errors.js';

/** Options of the plain hex scheme: `<header>: [prefix]<hex HMAC-SHA256 of the raw body>`. */
export interface HexSchemeOptions {
  /** Header carrying the signature; default `x-webhook-signature` (thig.ai's `signatureHeaderName`). */
  headerName?: string;
  /** Put before the hex digest, e.g. `sha256=` (task-app seed); none by default (Twig seed). */
  prefix?: string;
  /** Also send `X-Webhook-ID` / `X-Webhook-Timestamp` (task-app seed). */
  idAndTimestampHeaders?: boolean;
}

/** The key is the secret string's bytes, as every seed's example does (`createHmac('sha256', secret)`). */
export function hexSignature(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function signHex(
  secrets: string[],
  msgId: string,
  timestamp: Date,
  body: string,
  options: HexSchemeOptions = {},
): Record<string, string> {
  const header = (options.headerName ?? 'x-webhook-signature').toLowerCase();
  const prefix = options.prefix ?? '';
  const headers: Record<string, string> = {
    // With several secrets (rotation overlap) the signatures are comma-separated, newest first.
    [header]: secrets.map((s) => `${prefix}${hexSignature(s, body)}`).join(','),
  };
  if (options.idAndTimestampHeaders) {
    headers['x-webhook-id'] = msgId;
    headers['x-webhook-timestamp'] = String(Math.floor(timestamp.getTime() / 1000));
  }
  return headers;
}

/**
 * Verifies a hex-scheme delivery. With `toleranceSeconds` and an `X-Webhook-Timestamp` header, stale or
 * future timestamps are refused (replay protection); comparison is constant-time.
 */
export function verifyHex(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  options: HexSchemeOptions & { toleranceSeconds?: number; now?: Date } = {},
): void {
  const header = (options.headerName ?? 'x-webhook-signature').toLowerCase();
  const raw = headerValue(headers, header);
  if (!raw) throw new WebhookVerificationFailed('missing_signature', `no ${header} header`);
  if (options.toleranceSeconds !== undefined) {
    const timestamp = Number(headerValue(headers, 'x-webhook-timestamp'));
    if (!Number.isFinite(timestamp)) throw new WebhookVerificationFailed('missing_timestamp', 'no x-webhook-timestamp header');
    const skew = Math.abs((options.now ?? new Date()).getTime() / 1000 - timestamp);
    if (skew > options.toleranceSeconds)
      throw new WebhookVerificationFailed('timestamp_out_of_tolerance', `timestamp is ${Math.round(skew)} s away from now`);
  }
  const expected = Buffer.from(hexSignature(secret, body), 'utf8');
  const prefix = options.prefix ?? '';
  const matches = raw.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    const digest = Buffer.from(trimmed.startsWith(prefix) ? trimmed.slice(prefix.length) : trimmed, 'utf8');
    return digest.length === expected.length && timingSafeEqual(digest, expected);
  });
  if (!matches) throw new WebhookVerificationFailed('signature_mismatch', 'no signature matches the body');
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const direct = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(direct) ? direct[0] : direct;
}
