import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** Time-ordered random id (ULID-like: 48-bit millisecond time + 80 random bits), with a type prefix. */
export function newId(prefix: string, now = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  randomBytes(10).copy(bytes, 6);
  return `${prefix}_${base32(bytes, 26)}`;
}

/**
 * Delivery ids are a hash of (event id, endpoint id): a replay of the same event to the same endpoint after a
 * crash yields the same id, and receivers deduplicate on the `webhook-id` header that carries it.
 */
export function deliveryIdFor(eventId: string, endpointId: string): string {
  const digest = createHash('sha256').update(`${eventId}\u0000${endpointId}`).digest();
  return `msg_${base32(digest, 26)}`;
}

/** What `deliveryIdFor` makes (26 lowercase Crockford base32 characters), e.g. to recognize Hookline's own deliveries. */
export const deliveryIdPattern = /^msg_[0-9a-hjkmnp-tv-z]{26}$/;

export function attemptIdFor(deliveryId: string, attempt: number): string {
  return `${deliveryId}.${attempt}`;
}
