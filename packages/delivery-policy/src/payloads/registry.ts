import type { PayloadFormat } from '../payload-format.js';
import { standardPayload } from './standard.js';
import { taskappPayload } from './taskapp.js';
import { thigPayload } from './thig.js';
import { threadhoundPayload } from './threadhound.js';
import { twigPayload } from './twig.js';

/** Every payload format, one line each. */
export const payloadFormats = [standardPayload, thigPayload, twigPayload, taskappPayload, threadhoundPayload] as const;

export type PayloadFormatName = (typeof payloadFormats)[number]['name'];
export const payloadFormatNames = payloadFormats.map((format) => format.name) as [PayloadFormatName, ...PayloadFormatName[]];

const byName = new Map<string, PayloadFormat>(payloadFormats.map((format) => [format.name, format]));

export function findPayloadFormat(name: string): PayloadFormat | undefined {
  return byName.get(name);
}
