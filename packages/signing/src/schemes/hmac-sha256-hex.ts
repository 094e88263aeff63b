import { z } from 'zod';
import { signHex, verifyHex } from '../hmac-hex.js';
import { defineSigningScheme } from '../signing-scheme.js';

/** `<header>: [prefix]<hex HMAC-SHA256 of the raw body>` keyed by the secret string's bytes (Twig, task app). */
export const hmacSha256HexScheme = defineSigningScheme({
  name: 'hmac-sha256-hex',
  options: z.object({
    headerName: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .max(64)
      .optional(),
    prefix: z.string().max(16).optional(),
    idAndTimestampHeaders: z.boolean().optional(),
  }),
  aliases: ['hex'],
  sign: (secrets, msgId, timestamp, body, options) => signHex(secrets, msgId, timestamp, body, options),
  // Only a delivery that carries its timestamp can be checked for staleness.
  verify: (secret, headers, rawBody, options, toleranceSeconds) =>
    verifyHex(secret, headers, rawBody, { ...options, ...(options.idAndTimestampHeaders ? { toleranceSeconds } : {}) }),
  fromRequest: {
    matches: () => true,
    options(headers, hints) {
      const headerName = (hints.header ?? 'x-webhook-signature').toLowerCase();
      const value = headers[headerName] ?? '';
      const prefix = hints.prefix ?? /^([a-z0-9]+=)[0-9a-f]{64}/i.exec(value)?.[1] ?? '';
      return { headerName, prefix, idAndTimestampHeaders: headers['x-webhook-timestamp'] !== undefined };
    },
  },
});
