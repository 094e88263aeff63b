import { z } from 'zod';
import { storedDeliverySettingsShape } from './profiles.js';

/** Event type names: dotted lowercase words, e.g. `invoice.paid`, `project.created`. */
export const eventTypeName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/, 'must be dot-separated words of letters, digits, "_" or "-"');

/** Hookline's own event types (`hookline.alert`): produced by Hookline only, matched only when named. */
export const hooklineEventPrefix = 'hookline.';

/** An event type a tenant may produce or map incoming webhooks to: everything but Hookline's own. */
export const producibleEventType = eventTypeName.refine(
  (t) => !t.startsWith(hooklineEventPrefix),
  `the "${hooklineEventPrefix}" prefix is reserved for Hookline's own events`,
);

/** A subscription pattern: an event type, `prefix.*`, or `*` for everything. */
export const eventPattern = z
  .string()
  .min(1)
  .max(128)
  .regex(/^(\*|[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*(\.\*)?)$/, 'must be an event type, "prefix.*" or "*"');

/** The envelope every event carries on the `events` topic. */
export const eventEnvelope = z.object({
  id: z.string().min(1).max(128),
  type: eventTypeName,
  tenantId: z.string().min(1),
  timestamp: z.string().datetime({ offset: true }),
  data: z.unknown(),
  channels: z.array(z.string().min(1).max(128)).max(32).optional(),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;

/**
 * Marks records Hookline's own services wrote to `events` (ingest, the projector's alerts): they were checked where
 * they entered, so fanout does not judge them again against a catalog that may have changed since. Records
 * without it are Kafka-native and get ingest's rules in fanout (docs/kafka-native.md). A marker, not a
 * credential: only Hookline's principals may write `events`.
 */
export const eventOriginHeader = 'hookline-origin';

/**
 * Marks an `events` record whose first-attempt tasks ingest wrote with it (in the same publish). Its value is the
 * JSON array of the endpoint ids ingest planned: fanout, once caught up, writes only the tasks of endpoints that
 * ingest's view did not have yet. Only believed together with `hookline-origin` on `events` itself; a forged list
 * would only keep the producer's own events from some of its own endpoints.
 */
export const eventPlannedHeader = 'hookline-planned';

/** An event as a record of the `events` topic: keyed by tenant, so one tenant's events keep their order. */
export function eventRecord(event: EventEnvelope): { key: string; value: string; headers: Record<string, string> } {
  return { key: event.tenantId, value: JSON.stringify(event), headers: { [eventOriginHeader]: 'hookline' } };
}

/** Marks an `eventRecord` as planned for `endpointIds` (`eventPlannedHeader`); read back with `plannedEndpointIds`. */
export function markPlanned<R extends { headers: Record<string, string> }>(record: R, endpointIds: readonly string[]): R {
  record.headers[eventPlannedHeader] = JSON.stringify(endpointIds);
  return record;
}

/** The endpoint ids of an `eventPlannedHeader`, or undefined when absent or unreadable (fanout then plans them all). */
export function plannedEndpointIds(header: string | undefined): ReadonlySet<string> | undefined {
  if (header === undefined) return undefined;
  try {
    const ids: unknown = JSON.parse(header);
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? new Set(ids) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * API key roles (what each may do: `rolePermissions` in api-keys.ts, docs/security.md). `member` is the previous
 * shape's read-only role: records that carry it still parse and mean what they always meant (read only), but new
 * keys are created as `viewer` instead.
 */
export const roles = ['owner', 'admin', 'publisher', 'member', 'viewer'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

/**
 * Bookkeeping every config record carries: when it was made and changed, and its version (1 at creation, +1 per
 * change). The fold applies a versioned record only on top of the version before it (compare-and-set, see
 * `ConfigState`); records written before versions existed have none and apply as they always did.
 */
const timestamps = { createdAt: z.string(), updatedAt: z.string(), version: z.number().int().min(1).optional() };

export const tenantRecord = z.object({
  kind: z.literal('tenant'),
  id: z.string(),
  name: z.string(),
  /** The operator's quota overrides by quota name (absent: the deployment's defaults); see docs/limits.md. */
  quotas: z.record(z.string(), z.number().int().min(0)).optional(),
  ...timestamps,
});
export type TenantRecord = z.infer<typeof tenantRecord>;

/** API keys are stored as a SHA-256 of the key: keys are 160 random bits, so a fast hash is enough. */
export const apiKeyRecord = z.object({
  kind: z.literal('apiKey'),
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  role,
  keyHash: z.string(),
  keyPrefix: z.string(),
  ...timestamps,
});
export type ApiKeyRecord = z.infer<typeof apiKeyRecord>;

/**
 * A value sealed by `@hookline/secrets` (AES-256-GCM): the id of the key that sealed it, the 96-bit nonce and the
 * ciphertext with its tag appended (both base64url). Endpoint secrets and header values are stored like this;
 * a plain string is the shape written before values were sealed, still read (and sealed on the next write).
 */
export const sealedValue = z.object({
  sealed: z.literal('aes-256-gcm'),
  kid: z.string().min(1).max(64),
  iv: z.string(),
  ct: z.string(),
});
export type SealedValue = z.infer<typeof sealedValue>;
/** A secret or header value as stored: sealed, or plain text in records written before sealing. */
export const storedSecretValue = z.union([z.string(), sealedValue]);
export type StoredSecretValue = z.infer<typeof storedSecretValue>;

/**
 * Header names an endpoint may not set: `Host` (it would redirect the request inside the receiver's server) and
 * the hop-by-hop and framing headers that belong to the connection, not to the message (RFC 9110 7.6.1). The
 * admin API refuses them; delivery skips them in records written before they were refused.
 */
export function isRefusedHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return refusedHeaderNames.has(lower) || lower.startsWith('proxy-');
}
const refusedHeaderNames = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length']);

export const endpointSecret = z.object({
  secret: storedSecretValue,
  /** Set on a rotated-out secret: it keeps signing alongside the new one until then. */
  expiresAt: z.string().optional(),
  /**
   * The Ed25519 public key (`whpk_...`) derived from this secret, for receivers of the `ed25519` scheme; public, so
   * stored in the clear. Absent on secrets made before Ed25519 signing existed (a rotation adds it).
   */
  publicKey: z.string().optional(),
});

/**
 * Settings of payload formats whose documents print more than the event (ThreadHound). Optional: an endpoint
 * stored before they existed renders as it did, with the defaults each format documents.
 */
export const payloadSettingsShape = {
  /**
   * ThreadHound's `payload.communityId`. Without it, an event's own string `data.communityId` is used, else the
   * tenant id: a Hookline tenant is the one producer the subscriber hears from, as a community is in ThreadHound.
   */
  communityId: z.string().min(1).max(128).optional(),
  /**
   * ThreadHound's `webhookType` / `actionType` per event type, e.g. `chat.message.created` →
   * `{webhookType: 'chatmessage-crud', actionType: 'created'}`. Event types not listed split at their last dot.
   */
  webhookTypes: z
    .record(
      eventTypeName,
      z.object({
        webhookType: z.string().min(1).max(128),
        actionType: z.string().min(1).max(64),
      }),
    )
    .refine((m) => Object.keys(m).length <= 200, 'at most 200 event types')
    .optional(),
};
export type PayloadSettings = { [K in keyof typeof payloadSettingsShape]?: z.infer<(typeof payloadSettingsShape)[K]> };

export const endpointRecord = z.object({
  kind: z.literal('endpoint'),
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  url: z.string(),
  description: z.string().optional(),
  events: z.array(eventPattern),
  channels: z.array(z.string()).optional(),
  secrets: z.array(endpointSecret).min(1),
  headers: z.record(z.string(), storedSecretValue).optional(),
  ...storedDeliverySettingsShape(),
  ...payloadSettingsShape,
  isActive: z.boolean(),
  disabledReason: z.string().optional(),
  disabledAt: z.string().optional(),
  ...timestamps,
});
export type EndpointRecord = z.infer<typeof endpointRecord>;

/**
 * An incoming webhook: a secret URL that turns whatever a third party POSTs into an event of `eventType` for
 * the tenant. Only the SHA-256 (hex) of the URL's token is stored, like API keys.
 */
const dotPath = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dot path like "issue.title"');

/**
 * How an incoming webhook's body becomes event data: `{ target: source }`, both dot paths; without a mapping the
 * whole body is the data. Sources missing from a body are left out.
 */
export const fieldMapping = z
  .record(dotPath, dotPath)
  .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 50, 'between 1 and 50 fields');

export const incomingHookRecord = z.object({
  kind: z.literal('incomingHook'),
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  eventType: eventTypeName,
  channels: z.array(z.string().min(1).max(128)).max(32).optional(),
  mapping: fieldMapping.optional(),
  tokenHash: z.string(),
  ...timestamps,
});
export type IncomingHookRecord = z.infer<typeof incomingHookRecord>;

/**
 * An entry of a tenant's event-type catalog (id `<tenantId>:<name>`). `schema` is a JSON Schema for `data`;
 * when set, it is also registered in the schema registry, whose id and version are kept here so ingest can
 * cache compiled validators per version.
 */
export const eventTypeRecord = z.object({
  kind: z.literal('eventType'),
  id: z.string(),
  tenantId: z.string(),
  name: eventTypeName,
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  schemaId: z.number().int().optional(),
  schemaVersion: z.number().int().optional(),
  ...timestamps,
});
export type EventTypeRecord = z.infer<typeof eventTypeRecord>;

/** The alert rules (Twig's list) and what a tenant sets for them; defaults are the seed's thresholds. */
export const alertRules = ['failed_deliveries', 'response_time', 'success_rate'] as const;
export type AlertRule = (typeof alertRules)[number];
export const alertSettingsShape = {
  enabled: z.boolean(),
  /** Failed attempts of one endpoint within the alert window (at most 24 h) above which it alerts. */
  failedDeliveries24h: z.number().int().min(0).max(1_000_000),
  /** Average response time (ms) of an endpoint's recent attempts above which it alerts. */
  responseTimeMs: z.number().int().min(1).max(600_000),
  /** Success rate (percent) of an endpoint's recent attempts below which it alerts. */
  successRatePercent: z.number().min(0).max(100),
};
export const defaultAlertSettings = { enabled: false, failedDeliveries24h: 10, responseTimeMs: 5000, successRatePercent: 95 };

/** A tenant's alert settings (id = tenant id), one record per tenant. */
export const alertSettingsRecord = z.object({
  kind: z.literal('alertSettings'),
  id: z.string(),
  tenantId: z.string(),
  ...alertSettingsShape,
  ...timestamps,
});
export type AlertSettingsRecord = z.infer<typeof alertSettingsRecord>;

/** thig.ai's scheduled exports: when a schedule fires (docs/scheduled-exports.md). */
export const scheduleTypes = ['weekly_digest', 'on_status_change', 'custom_cron', 'one_time'] as const;
export const exportFormats = ['pdf', 'html', 'docx', 'markdown'] as const;

/** A tenant's scheduled export (id `sch_...`); each due time becomes an `export.scheduled` event. */
export const scheduleRecord = z.object({
  kind: z.literal('schedule'),
  id: z.string(),
  tenantId: z.string(),
  scheduleType: z.enum(scheduleTypes),
  projectId: z.string().optional(),
  cronExpression: z.string().optional(),
  triggerStatus: z.string().optional(),
  scheduledAt: z.string().optional(),
  timezone: z.string(),
  format: z.enum(exportFormats),
  deliveryMethod: z.enum(['email', 'webhook']),
  recipients: z.array(z.string()).optional(),
  webhookUrl: z.string().optional(),
  /** The endpoint the schedule manages for its `webhookUrl` (created and deleted with it). */
  webhookEndpointId: z.string().optional(),
  includeChangelog: z.boolean().optional(),
  customSubject: z.string().optional(),
  customMessage: z.string().optional(),
  /** When its timing last changed: due times before it are not caught up (absent: `createdAt`). */
  activeSince: z.string().optional(),
  ...timestamps,
});
export type ScheduleRecord = z.infer<typeof scheduleRecord>;

/** Latest state of one entity on the compacted `config` topic (key `<kind>:<id>`, tombstone on delete). */
export const configRecord = z.discriminatedUnion('kind', [
  tenantRecord,
  apiKeyRecord,
  endpointRecord,
  incomingHookRecord,
  eventTypeRecord,
  alertSettingsRecord,
  scheduleRecord,
]);
export type ConfigRecord = z.infer<typeof configRecord>;
export type ConfigKind = ConfigRecord['kind'];

export function configKey(kind: ConfigKind, id: string): string {
  return `${kind}:${id}`;
}

/** One delivery of one event to one endpoint; the same task travels through `deliveries` and `retry.*`. */
export const deliveryTask = z.object({
  deliveryId: z.string(),
  eventId: z.string(),
  endpointId: z.string(),
  tenantId: z.string(),
  attempt: z.number().int().min(1),
  dueAt: z.number().int(),
  event: eventEnvelope,
  /** A send-test from the admin API: one attempt, even to a disabled endpoint, never retried or dead-lettered. */
  test: z.boolean().optional(),
  /** How often this attempt was held back (backlog full, circuit open) without being sent; absent: never. */
  deferrals: z.number().int().min(0).optional(),
});
export type DeliveryTask = z.infer<typeof deliveryTask>;

/** What one HTTP attempt did; every attempt, success or failure, is written to `attempts`. */
export const attemptRecord = z.object({
  attemptId: z.string(),
  deliveryId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  endpointId: z.string(),
  tenantId: z.string(),
  attempt: z.number().int().min(1),
  url: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  outcome: z.enum(['success', 'failure']),
  statusCode: z.number().int().optional(),
  errorClass: z.string().optional(),
  errorMessage: z.string().optional(),
  responseExcerpt: z.string().optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
  /**
   * The request as sent, on a delivery's first attempt only (the body is the same on every attempt): headers with
   * signature values shortened and custom header values masked, the body up to a cap.
   */
  request: z
    .object({
      headers: z.record(z.string(), z.string()),
      body: z.string(),
      bodyTruncated: z.boolean().optional(),
    })
    .optional(),
  /** True when no further attempt will follow (delivered, dead-lettered or dropped with a reason). */
  final: z.boolean(),
});
export type AttemptRecord = z.infer<typeof attemptRecord>;

/** A task that will not be attempted again, with why; replayable from the admin API. */
export const deadLetterRecord = z.object({
  task: deliveryTask,
  reason: z.string(),
  /** `failed`: attempts ended in failure; `parked`: never attempted because the endpoint was disabled or deleted. */
  kind: z.enum(['failed', 'parked']),
  lastAttempt: attemptRecord.optional(),
  deadLetteredAt: z.string(),
});
export type DeadLetterRecord = z.infer<typeof deadLetterRecord>;
