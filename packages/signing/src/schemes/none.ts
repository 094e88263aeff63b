import { z } from 'zod';
import { defineSigningScheme } from '../signing-scheme.js';

/** Unsigned deliveries (receivers that authenticate by URL or custom header). */
export const noSignatureScheme = defineSigningScheme({
  name: 'none',
  options: z.object({}),
  sign: () => ({}),
  verify: () => undefined,
});
