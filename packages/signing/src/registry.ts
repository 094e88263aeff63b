import { z } from 'zod';
import { ed25519Scheme } from './schemes/ed25519.js';
import { hmacSha256HexScheme } from './schemes/hmac-sha256-hex.js';
import { noSignatureScheme } from './schemes/none.js';
import { standardWebhooksScheme } from './schemes/standard-webhooks.js';
import type { SigningScheme } from './signing-scheme.js';

/** Every signing scheme, one line each; the order is the CLI's guessing order for a captured request. */
export const signingSchemes = [ed25519Scheme, standardWebhooksScheme, hmacSha256HexScheme, noSignatureScheme] as const;

type Registered = (typeof signingSchemes)[number];
export type SigningSchemeName = Registered['name'];

/** How an endpoint's deliveries are signed: a registered scheme's `kind` with its options. */
export type SignatureScheme = Registered extends infer S
  ? S extends SigningScheme<infer N, infer O>
    ? { kind: N } & OptionsOf<O>
    : never
  : never;

/** A scheme's options as a type; `z.object({})` infers an index signature of `never`, which means "no options". */
type OptionsOf<O extends z.ZodObject> = string extends keyof z.infer<O> ? Record<never, never> : z.infer<O>;

export const signingSchemeNames = signingSchemes.map((scheme) => scheme.name) as SigningSchemeName[];

/** The `signature` setting, validated: `kind` picks the scheme, the rest are its options. */
export const signatureSchemeSchema = z.discriminatedUnion(
  'kind',
  signingSchemes.map((scheme) => z.object({ kind: z.literal(scheme.name), ...scheme.options.shape })) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
) as unknown as z.ZodType<SignatureScheme>;

/** The registry with each scheme's options widened, for code that handles schemes without knowing them. */
export const registeredSigningSchemes: readonly SigningScheme[] = signingSchemes as unknown as SigningScheme[];

const byName = new Map<string, SigningScheme>(registeredSigningSchemes.map((scheme) => [scheme.name, scheme]));

/** The registered scheme named `kind` (its name or a CLI alias), or undefined. */
export function findSigningScheme(kind: string): SigningScheme | undefined {
  return byName.get(kind) ?? registeredSigningSchemes.find((scheme) => scheme.aliases?.includes(kind));
}

export class UnknownSigningScheme extends Error {
  constructor(readonly kind: string) {
    super(`unknown signature scheme ${kind}; registered: ${signingSchemeNames.join(', ')}`);
    this.name = 'UnknownSigningScheme';
  }
}

export function signingSchemeOf(scheme: { kind: string }): SigningScheme {
  const found = byName.get(scheme.kind);
  if (!found) throw new UnknownSigningScheme(scheme.kind);
  return found;
}
