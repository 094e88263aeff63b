import {
  ApiError,
  configKey,
  type EndpointRecord,
  exportFormats,
  newId,
  type ScheduleRecord,
  scheduleRecord,
  scheduleTypes,
} from '@hookline/core';
import { ed25519PublicKey, generateSecret } from '@hookline/signing';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import type { ConfigAccess } from '../ports.js';
import { cronProblem, exportEventType, isTimezone, nextDue, type Scheduler } from '../schedules/index.js';
import { deleted, list } from './schemas.js';
import { httpUrl, isOwnIngest } from './webhook-input.js';

/** What the scheduled-export routes need beyond the admin API's deps (absent: trigger answers 503). */
export interface ScheduleRouteDeps {
  scheduler?: Pick<Scheduler, 'trigger'>;
}

/** The document's fields (thig.ai "Scheduled Exports"). */
const scheduleFields = {
  scheduleType: z.enum(scheduleTypes),
  projectId: z.string().min(1).max(128).optional(),
  cronExpression: z.string().min(1).max(256).optional().describe('For custom_cron (croner syntax, 5 or 6 fields)'),
  triggerStatus: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('For on_status_change: fires when an event with this `data.status` arrives'),
  scheduledAt: z.string().datetime({ offset: true }).optional().describe('For one_time (ISO 8601)'),
  timezone: z.string().min(1).max(64).describe('IANA timezone, e.g. America/New_York'),
  format: z.enum(exportFormats),
  deliveryMethod: z.enum(['email', 'webhook']),
  recipients: z.array(z.string().email()).max(100).optional(),
  webhookUrl: httpUrl.optional(),
  includeChangelog: z.boolean().optional(),
  customSubject: z.string().max(500).optional(),
  customMessage: z.string().max(5000).optional(),
};
const createInput = z.object(scheduleFields);
const updateInput = z.object(scheduleFields).partial();
const listQuery = z.object({ projectId: z.string().optional() });
const exportParams = z.object({ exportId: z.string() });

const scheduleView = scheduleRecord
  .omit({ kind: true, activeSince: true })
  .extend({ nextDueAt: z.string().nullable().describe('The next due time (null: on_status_change, or a one_time that fired)') })
  .meta({ id: 'ScheduledExport' });
const createdView = scheduleView.extend({
  webhookSecret: z
    .string()
    .optional()
    .describe('The signing secret of the endpoint managed for `webhookUrl` (whsec_...); shown only here.'),
});

const timingFields = ['scheduleType', 'cronExpression', 'scheduledAt', 'timezone'] as const;

function view({ kind: _kind, activeSince: _since, ...schedule }: ScheduleRecord, now = new Date()): z.infer<typeof scheduleView> {
  return { ...schedule, nextDueAt: nextDue(schedule, now)?.toISOString() ?? null };
}

function invalid(path: string, message: string): ApiError {
  return new ApiError('validation_failed', `${path}: ${message}`, [{ path, message }]);
}

/** The rules that span fields (the document names which field each type needs). */
function checkFields(schedule: ScheduleRecord, requireHttps: boolean): void {
  if (!isTimezone(schedule.timezone)) throw invalid('timezone', `unknown IANA timezone "${schedule.timezone}"`);
  if (schedule.deliveryMethod === 'email') {
    throw new ApiError('validation_failed', 'deliveryMethod "email" is not available: no SMTP relay is configured; use "webhook"', [
      { path: 'deliveryMethod', message: 'email delivery needs an SMTP relay, and none is configured' },
    ]);
  }
  if (schedule.webhookUrl && requireHttps && !schedule.webhookUrl.startsWith('https://')) {
    throw invalid('webhookUrl', 'must be https in production mode');
  }
  switch (schedule.scheduleType) {
    case 'custom_cron': {
      if (!schedule.cronExpression) throw invalid('cronExpression', 'required for custom_cron');
      const problem = cronProblem(schedule.cronExpression, schedule.timezone);
      if (problem) throw invalid('cronExpression', problem);
      break;
    }
    case 'on_status_change':
      if (!schedule.triggerStatus) throw invalid('triggerStatus', 'required for on_status_change');
      break;
    case 'one_time':
      if (!schedule.scheduledAt) throw invalid('scheduledAt', 'required for one_time');
      break;
    case 'weekly_digest':
      break;
  }
}

async function ownSchedule(config: ConfigAccess, tenantId: string, id: string): Promise<ScheduleRecord> {
  const found = await config.readFresh((state) => state.schedules.get(id));
  if (!found || found.tenantId !== tenantId) throw new ApiError('not_found', 'no such scheduled export');
  return found;
}

/**
 * The endpoint a schedule manages for its `webhookUrl`: subscribed to its events only (a filter on `scheduleId`).
 * Returned with its plain secret (shown once); it is written sealed.
 */
function managedEndpoint(schedule: ScheduleRecord, url: string, now: string): { endpoint: EndpointRecord; secret: string } {
  const secret = generateSecret();
  const endpoint: EndpointRecord = {
    kind: 'endpoint',
    id: newId('ep'),
    tenantId: schedule.tenantId,
    name: `Scheduled export ${schedule.id}`,
    description: 'Managed by its scheduled export: changed and deleted with it.',
    url,
    events: [exportEventType],
    filter: { scheduleId: schedule.id },
    isActive: true,
    secrets: [{ secret, publicKey: ed25519PublicKey(secret) }],
    createdAt: now,
    updatedAt: now,
  };
  return { endpoint, secret };
}

/**
 * thig.ai's scheduled exports, mounted at `/api/scheduled-exports` as the document prints them. A schedule is a
 * `schedule` record on the `config` topic; the scheduler (`schedules/`) turns each due time into an
 * `export.scheduled` event, delivered like any other event.
 */
export function scheduledExportRoutes({ config, publisher, requireHttps, webhooks, scheduler }: AdminDeps & ScheduleRouteDeps) {
  /** Endpoints are written with their secrets sealed, as the webhook routes do. */
  const saveEndpoint = (endpoint: EndpointRecord) =>
    config.write(publisher, configKey('endpoint', endpoint.id), webhooks.secrets.sealPlain(endpoint));
  const checkRules = (schedule: ScheduleRecord) => {
    checkFields(schedule, requireHttps);
    if (schedule.webhookUrl && isOwnIngest(schedule.webhookUrl, webhooks.ingestOrigins)) {
      throw invalid('webhookUrl', "is on Hookline's own ingest origin: deliveries would come back as events");
    }
  };
  return [
    route({
      method: 'get',
      path: '/scheduled-exports',
      tags: ['scheduled exports'],
      summary: "List the tenant's scheduled exports (`?projectId=` filters by project), with their next due time",
      auth: 'apiKey',
      query: listQuery,
      responses: { 200: { description: 'Scheduled exports', schema: list(scheduleView) } },
      async handler({ caller, query }) {
        const all = [...config.state.schedulesOf(caller.tenantId)].filter((s) => !query.projectId || s.projectId === query.projectId);
        return { status: 200, body: { data: all.map((s) => view(s)) } };
      },
    }),
    route({
      method: 'post',
      path: '/scheduled-exports',
      tags: ['scheduled exports'],
      summary: 'Create a scheduled export; with `webhookUrl`, an endpoint for it is created (its secret is returned once)',
      auth: 'apiKey',
      role: 'configure',
      quota: 'schedules',
      body: createInput,
      responses: { 201: { description: 'The scheduled export', schema: createdView } },
      async handler({ caller, body }) {
        const now = new Date().toISOString();
        const schedule: ScheduleRecord = {
          kind: 'schedule',
          id: newId('sch'),
          tenantId: caller.tenantId,
          ...body,
          activeSince: now,
          createdAt: now,
          updatedAt: now,
        };
        checkRules(schedule);
        if (schedule.scheduleType === 'one_time' && Date.parse(schedule.scheduledAt!) <= Date.parse(now)) {
          throw invalid('scheduledAt', 'must be in the future');
        }
        let webhookSecret: string | undefined;
        if (schedule.webhookUrl) {
          const { endpoint, secret } = managedEndpoint(schedule, schedule.webhookUrl, now);
          await saveEndpoint(endpoint);
          schedule.webhookEndpointId = endpoint.id;
          webhookSecret = secret;
        }
        await config.write(publisher, configKey('schedule', schedule.id), schedule);
        return { status: 201, body: { ...view(schedule), ...(webhookSecret ? { webhookSecret } : {}) } };
      },
    }),
    route({
      method: 'patch',
      path: '/scheduled-exports/:exportId',
      tags: ['scheduled exports'],
      summary: 'Change a scheduled export (fields left out keep their value)',
      auth: 'apiKey',
      role: 'configure',
      params: exportParams,
      body: updateInput,
      responses: { 200: { description: 'The scheduled export', schema: createdView } },
      errors: ['not_found'],
      async handler({ caller, params, body }) {
        const existing = await ownSchedule(config, caller.tenantId, params.exportId);
        const now = new Date().toISOString();
        const timingChanged = timingFields.some((f) => body[f] !== undefined && body[f] !== existing[f]);
        const updated: ScheduleRecord = { ...existing, ...body, updatedAt: now, ...(timingChanged ? { activeSince: now } : {}) };
        checkRules(updated);
        let webhookSecret: string | undefined;
        if (body.webhookUrl && body.webhookUrl !== existing.webhookUrl) {
          const current = existing.webhookEndpointId ? config.state.endpoints.get(existing.webhookEndpointId) : undefined;
          if (current) {
            await saveEndpoint({ ...current, url: body.webhookUrl, updatedAt: now });
          } else {
            const { endpoint, secret } = managedEndpoint(updated, body.webhookUrl, now);
            await saveEndpoint(endpoint);
            updated.webhookEndpointId = endpoint.id;
            webhookSecret = secret;
          }
        }
        await config.write(publisher, configKey('schedule', updated.id), updated);
        return { status: 200, body: { ...view(updated), ...(webhookSecret ? { webhookSecret } : {}) } };
      },
    }),
    route({
      method: 'delete',
      path: '/scheduled-exports/:exportId',
      tags: ['scheduled exports'],
      summary: 'Delete a scheduled export (and the endpoint it manages for its webhookUrl)',
      auth: 'apiKey',
      role: 'configure',
      params: exportParams,
      responses: deleted,
      errors: ['not_found'],
      async handler({ caller, params }) {
        const existing = await ownSchedule(config, caller.tenantId, params.exportId);
        await config.write(publisher, configKey('schedule', existing.id), null);
        if (existing.webhookEndpointId) await config.write(publisher, configKey('endpoint', existing.webhookEndpointId), null);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/scheduled-exports/:exportId/trigger',
      tags: ['scheduled exports'],
      summary: 'Fire a scheduled export now: an `export.scheduled` event with `manual: true` and a fresh id',
      auth: 'apiKey',
      role: 'configure',
      params: exportParams,
      responses: { 202: { description: 'The event is on its way', schema: z.object({ eventId: z.string() }) } },
      errors: ['not_found', 'unavailable'],
      async handler({ caller, params }) {
        const existing = await ownSchedule(config, caller.tenantId, params.exportId);
        if (!scheduler) throw new ApiError('unavailable', 'the scheduler is not running in this process');
        return { status: 202, body: { eventId: await scheduler.trigger(existing) } };
      },
    }),
  ];
}
