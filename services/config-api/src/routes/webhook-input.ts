import { ApiError, eventPattern, isRefusedHeaderName } from '@hookline/core';
import { deliverySettingsShape } from '@hookline/delivery-policy';
import { maskedHeaderValue } from '@hookline/secrets';
import { z } from 'zod';

/** What a webhook's URL may be: an absolute http(s) URL with a host. `URL.canParse` first, so no input throws. */
export const httpUrl = z
  .string()
  .max(2048)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol) && new URL(u).hostname !== '', 'must be an http or https URL');

/**
 * Custom headers: token names, at most one per name ignoring case, none of the names that belong to the
 * connection (`isRefusedHeaderName`). Values are write-only; `********` (what reads show) stands for the stored value.
 */
const customHeaders = z
  .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits and "-"'), z.string().max(4096))
  .superRefine((headers, ctx) => {
    const seen = new Set<string>();
    for (const name of Object.keys(headers)) {
      if (isRefusedHeaderName(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" belongs to the connection, not the message, and cannot be set` });
      }
      if (seen.has(name.toLowerCase()))
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is given twice (names ignore case)` });
      seen.add(name.toLowerCase());
    }
  });

const endpointFields = {
  name: z.string().min(1).max(200),
  url: httpUrl,
  events: z.array(eventPattern).min(1).max(100),
  description: z.string().max(2000).optional(),
  isActive: z.boolean().optional(),
  channels: z.array(z.string().min(1).max(128)).max(100).optional(),
  headers: customHeaders.optional(),
  ...deliverySettingsShape(),
};
const secretInput = z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be whsec_ followed by base64');
export const createEndpointInput = z.object({ ...endpointFields, secret: secretInput.optional() });
/** Settings a PATCH may clear with `null`, so the profile's default applies again. */
const clearableSettings = [
  'description',
  'channels',
  'signature',
  'signatureHeaderName',
  'payloadFormat',
  'retrySchedule',
  'timeoutMs',
  'maxConcurrency',
  'rateLimitPerSecond',
  'orderingKey',
  'filter',
] as const satisfies readonly (keyof typeof endpointFields)[];
type ClearableSetting = (typeof clearableSettings)[number];

export const updateEndpointInput = z
  .object(endpointFields)
  .partial()
  .extend(
    Object.fromEntries(clearableSettings.map((name) => [name, endpointFields[name].unwrap().nullable().optional()])) as {
      [K in ClearableSetting]: z.ZodOptional<z.ZodNullable<ReturnType<(typeof endpointFields)[K]['unwrap']>>>;
    },
  );

/** An endpoint after a PATCH: the changes over what is stored, and a setting given as `null` removed. */
export function applyEndpointChanges<E extends object>(current: E, changes: Record<string, unknown>): E {
  const next = { ...current } as Record<string, unknown>;
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null && (clearableSettings as readonly string[]).includes(name)) delete next[name];
    else next[name] = value;
  }
  return next as E;
}

/**
 * Settings that cannot go together, checked on the endpoint as it would be stored: strict ordering retries the
 * failing head in place, so a circuit breaker (which holds tasks back on a retry tier) would reorder them.
 */
export function checkSettingsCombination(endpoint: { ordering?: string | undefined; circuitBreaker?: unknown }): void {
  if (endpoint.ordering === 'strict' && endpoint.circuitBreaker) {
    throw new ApiError('validation_failed', 'a circuit breaker cannot be combined with strict ordering', [
      {
        path: 'circuitBreaker',
        message:
          'strict ordering retries the failing delivery in place; holding deliveries back would reorder them (set null, or ordering "none")',
      },
    ]);
  }
}

export const rotateInput = z.object({
  /** The new secret; generated when absent. */
  secret: secretInput.optional(),
  /** How long the previous secret keeps signing alongside the new one (receivers switch over meanwhile). */
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(24 * 3600),
});

/**
 * Header values as written: a masked value keeps what is stored under that name (any case), so a client can
 * send back what it read; anything else is a new value. A mask with nothing stored behind it is refused.
 */
export function mergeHeaders<V>(given: Record<string, string>, stored: Record<string, V> | undefined): Record<string, string | V> {
  const storedByName = new Map(Object.entries(stored ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return Object.fromEntries(
    Object.entries(given).map(([name, value]) => {
      if (value !== maskedHeaderValue) return [name, value];
      const kept = storedByName.get(name.toLowerCase());
      if (kept === undefined) {
        throw new ApiError('validation_failed', `header ${name} is masked but has no stored value`, [
          { path: `headers.${name}`, message: `"${maskedHeaderValue}" stands for the stored value; give the value itself` },
        ]);
      }
      return [name, kept];
    }),
  );
}

const loopbackHost = /^(localhost|.+\.localhost|127(\.\d+){3}|0\.0\.0\.0|\[::1?\]|\[::ffff:(7f[0-9a-f]{2}|0):[0-9a-f]+\])$/;
const isLoopback = (hostname: string) => loopbackHost.test(hostname);
const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');
const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/\.$/, '');

/**
 * True when `url` points at Hookline's own ingest, reachable at `origins`: the same host name at any port
 * (ingest's public host serves nothing a tenant's receiver needs), or for a loopback origin (development) any
 * loopback name or address with the same port. A webhook there would feed its own deliveries back in as events.
 */
export function isOwnIngest(url: string, origins: readonly URL[]): boolean {
  const target = new URL(url);
  const host = hostOf(target);
  return origins.some((origin) =>
    isLoopback(hostOf(origin)) ? isLoopback(host) && portOf(target) === portOf(origin) : host === hostOf(origin),
  );
}
