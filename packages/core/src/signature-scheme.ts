import { z } from 'zod';

/** How deliveries are signed; the same shape drives `@hookline/signing`. */
export const signatureSchemeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('standard-webhooks') }),
  z.object({
    kind: z.literal('hmac-sha256-hex'),
    headerName: z.string().regex(/^[A-Za-z0-9-]+$/).max(64).optional(),
    prefix: z.string().max(16).optional(),
    idAndTimestampHeaders: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('none') }),
]);
export type SignatureScheme = z.infer<typeof signatureSchemeSchema>;
