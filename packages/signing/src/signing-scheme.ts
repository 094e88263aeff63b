import type { z } from 'zod';

/** Request headers as Node and most frameworks give them. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * One way of signing deliveries. Adding a scheme is one file in `schemes/` plus one line in `registry.ts`: the
 * endpoint schema, the admin API's documented enum, the README and the CLI all read the registry.
 */
export interface SigningScheme<Name extends string = string, Options extends z.ZodObject = z.ZodObject> {
  /** The `kind` of an endpoint's `signature` setting. */
  name: Name;
  /** The scheme's settings besides `kind` (validated at the admin API's edge). */
  options: Options;
  /** Short names the CLI accepts for `--scheme` (`hookline verify --scheme hex`). */
  aliases?: readonly string[];
  /** Signature headers of one delivery body, signed by every secret (several during a rotation overlap). */
  sign(secrets: string[], msgId: string, timestamp: Date, body: string, options: z.infer<Options>): Record<string, string>;
  /** The subscriber's side: throws WebhookVerificationFailed with a reason when the delivery does not verify. */
  verify(secret: string, headers: RequestHeaders, rawBody: string, options: z.infer<Options>, toleranceSeconds: number): void;
  /**
   * For tools given a captured request (the CLI): whether the request looks signed this way, and the options
   * read from it (with the user's hints), so `verify` works without naming the scheme.
   */
  fromRequest?: {
    matches(headers: Record<string, string>): boolean;
    options(headers: Record<string, string>, hints: { header?: string; prefix?: string }): z.infer<Options>;
  };
}

/** Declares a scheme with its option types inferred from its zod schema. */
export function defineSigningScheme<Name extends string, Options extends z.ZodObject>(
  scheme: SigningScheme<Name, Options>,
): SigningScheme<Name, Options> {
  return scheme;
}
