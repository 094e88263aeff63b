import { deliveryProfiles, isProfileName, type ProfileName } from '@hookline/delivery-policy';
import { findSigningScheme, registeredSigningSchemes, type SignatureScheme, verify, WebhookVerificationFailed } from '@hookline/signing';
import { usageError } from './errors.js';

export { isProfileName };

/** The schemes a captured request can be checked with, by name and short alias (`standard`, `hex`): from the signing registry. */
export const schemeNames: string[] = registeredSigningSchemes.flatMap((scheme) =>
  scheme.fromRequest ? [...(scheme.aliases ?? []), scheme.name] : [],
);

export interface SchemeOptions {
  /** A signing scheme's name or alias (`standard`, `hex`, ...); guessed from the headers when absent. */
  scheme?: string;
  /** A delivery profile whose scheme to use (`twig`, `taskapp`, ...), instead of `scheme`. */
  profile?: ProfileName;
  /** The hex scheme's signature header (default `x-webhook-signature`). */
  header?: string;
  /** Text before the hex digest, such as `sha256=`; guessed from the header's value when absent. */
  prefix?: string;
}

/** The scheme a request is checked with: from a profile, from `--scheme`, or guessed from the headers. */
export function schemeFor(options: SchemeOptions, headers: Record<string, string>): SignatureScheme {
  if (options.profile) return deliveryProfiles[options.profile].signature;
  const scheme = options.scheme
    ? findSigningScheme(options.scheme)
    : registeredSigningSchemes.find((candidate) => candidate.fromRequest?.matches(headers));
  if (!scheme?.fromRequest) throw usageError(`--scheme: choose one of ${schemeNames.join(', ')}`);
  const hints = {
    ...(options.header ? { header: options.header } : {}),
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
  };
  return { ...scheme.fromRequest.options(headers, hints), kind: scheme.name } as SignatureScheme;
}

export type Verdict = { valid: true; scheme: SignatureScheme } | { valid: false; scheme: SignatureScheme; reason: string; message: string };

/** Checks a request's signature with @hookline/signing's `verify`; never throws for an invalid signature. */
export function verifyRequest(
  headers: Record<string, string>,
  body: string,
  secret: string,
  scheme: SignatureScheme,
  toleranceSeconds = 300,
): Verdict {
  if (!findSigningScheme(scheme.kind)?.fromRequest) throw usageError(`nothing to verify: the scheme ${scheme.kind} signs nothing`);
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
  return 'headerName' in scheme ? `${scheme.kind} (${scheme.headerName ?? 'x-webhook-signature'})` : scheme.kind;
}
