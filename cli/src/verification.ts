import { deliveryProfiles, profileNames, type ProfileName } from '@hookline/core';
import { verify, WebhookVerificationFailed, type SignatureScheme } from '@hookline/signing';
import { usageError } from './errors.js';

export const schemeNames = ['standard', 'hex'] as const;
export type SchemeName = (typeof schemeNames)[number];

export interface SchemeOptions {
  /** `standard` (Standard Webhooks) or `hex` (hex HMAC-SHA256 of the body); guessed from the headers when absent. */
  scheme?: SchemeName;
  /** A delivery profile whose scheme to use (`twig`, `taskapp`, ...), instead of `scheme`. */
  profile?: ProfileName;
  /** The hex scheme's signature header (default `x-webhook-signature`). */
  header?: string;
  /** Text before the hex digest, such as `sha256=`; guessed from the header's value when absent. */
  prefix?: string;
}

export function isProfileName(name: string): name is ProfileName {
  return (profileNames as readonly string[]).includes(name);
}

/** The scheme a request is checked with: from a profile, from `--scheme`, or guessed from the headers. */
export function schemeFor(options: SchemeOptions, headers: Record<string, string>): SignatureScheme {
  if (options.profile) return deliveryProfiles[options.profile].signature;
  const scheme = options.scheme ?? (headers['webhook-signature'] !== undefined ? 'standard' : 'hex');
  if (scheme === 'standard') return { kind: 'standard-webhooks' };
  const headerName = (options.header ?? 'x-webhook-signature').toLowerCase();
  const value = headers[headerName] ?? '';
  const prefix = options.prefix ?? /^([a-z0-9]+=)[0-9a-f]{64}/i.exec(value)?.[1] ?? '';
  return { kind: 'hmac-sha256-hex', headerName, prefix, idAndTimestampHeaders: headers['x-webhook-timestamp'] !== undefined };
}

export type Verdict = { valid: true; scheme: SignatureScheme } | { valid: false; scheme: SignatureScheme; reason: string; message: string };

/** Checks a request's signature with @hookline/signing's `verify`; never throws for an invalid signature. */
export function verifyRequest(headers: Record<string, string>, body: string, secret: string, scheme: SignatureScheme, toleranceSeconds = 300): Verdict {
  if (scheme.kind === 'none') throw usageError('nothing to verify: the scheme signs nothing');
  try {
    verify(scheme, headers, body, secret, toleranceSeconds);
    return { valid: true, scheme };
  } catch (error) {
    if (error instanceof WebhookVerificationFailed) return { valid: false, scheme, reason: error.reason, message: error.message };
    throw error;
  }
}

/** `standard-webhooks`, `hmac-sha256-hex (x-twig-signature)`: for printing. */
export function schemeLabel(scheme: SignatureScheme): string {
  return scheme.kind === 'hmac-sha256-hex' ? `hmac-sha256-hex (${scheme.headerName ?? 'x-webhook-signature'})` : scheme.kind;
}
