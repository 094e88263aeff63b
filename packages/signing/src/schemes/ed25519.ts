import { z } from 'zod';
import { signEd25519, verifyEd25519 } from '../ed25519.js';
import { defineSigningScheme } from '../signing-scheme.js';

/** Standard Webhooks asymmetric (`webhook-signature: v1a,<base64 Ed25519>`); receivers verify with a `whpk_` key. */
export const ed25519Scheme = defineSigningScheme({
  name: 'ed25519',
  options: z.object({}),
  aliases: ['v1a', 'standard-webhooks-ed25519'],
  sign: (secrets, msgId, timestamp, body) => signEd25519(secrets, msgId, timestamp, body),
  verify: (key, headers, rawBody, _options, toleranceSeconds) => verifyEd25519(key, headers, rawBody, toleranceSeconds),
  fromRequest: {
    matches: (headers) => /(^| )v1a,/.test(headers['webhook-signature'] ?? ''),
    options: () => ({}),
  },
});
