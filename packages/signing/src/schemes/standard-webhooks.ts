import { z } from 'zod';
import { defineSigningScheme } from '../signing-scheme.js';
import { signStandardWebhooks, verifyStandardWebhooks } from '../standard-webhooks.js';

/** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`; key = the whsec secret's bytes. */
export const standardWebhooksScheme = defineSigningScheme({
  name: 'standard-webhooks',
  options: z.object({}),
  aliases: ['standard'],
  sign: (secrets, msgId, timestamp, body) => signStandardWebhooks(secrets, msgId, timestamp, body),
  verify: (secret, headers, rawBody) => void verifyStandardWebhooks(secret, headers, rawBody),
  fromRequest: {
    matches: (headers) => headers['webhook-signature'] !== undefined,
    options: () => ({}),
  },
});
