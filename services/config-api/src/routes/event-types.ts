import { ApiError, configKey, type EventTypeRecord, eventTypeName } from '@hookline/core';
import { SchemaRefused, type SchemaRegistryPort } from '@hookline/schema-registry';
import { validate } from '@hookline/service';
import { Ajv } from 'ajv';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import type { ConfigAccess } from '../ports.js';
import { deleted, eventType, list } from './schemas.js';

/** A JSON Schema document: only "an object" is checked here; the registry and ajv judge its contents. */
const jsonSchema = z.record(z.string(), z.unknown());

const createEventTypeInput = z.object({
  name: eventTypeName,
  description: z.string().max(1000).optional(),
  schema: jsonSchema.optional(),
});

const updateEventTypeInput = z.object({
  description: z.string().max(1000).optional(),
  schema: jsonSchema.optional(),
});

const nameParams = z.object({ name: z.string() });

/** Refuses a schema ingest could not compile, before it reaches the registry or the catalog. */
function checkCompiles(schema: Record<string, unknown>): void {
  try {
    new Ajv({ strict: false }).compile(schema);
  } catch (error) {
    throw new ApiError('validation_failed', 'schema is not a valid JSON Schema', [{ path: 'schema', message: (error as Error).message }]);
  }
}

function publicEventType({ kind: _kind, id: _id, ...rest }: EventTypeRecord) {
  return rest;
}

/** Registers through the registry port, with its typed failures as the API's error codes. */
async function register(registry: SchemaRegistryPort | undefined, subject: string, schema: object) {
  if (!registry) throw new ApiError('unavailable', 'no schema registry is configured (SCHEMA_REGISTRY_URL)');
  try {
    return await registry.registerJsonSchema(subject, schema, 'BACKWARD');
  } catch (error) {
    if (error instanceof SchemaRefused) {
      throw new ApiError(error.kind === 'incompatible' ? 'conflict' : 'validation_failed', error.message, [
        { path: 'schema', message: error.reason },
      ]);
    }
    throw new ApiError('unavailable', (error as Error).message);
  }
}

async function ownType(config: ConfigAccess, tenantId: string, rawName: string): Promise<EventTypeRecord> {
  const name = validate(eventTypeName, rawName, 'event type name');
  const found = await config.readFresh((state) => state.eventType(tenantId, name));
  if (!found) throw new ApiError('not_found', 'no such event type');
  return found;
}

/**
 * The tenant's event-type catalog. A type may carry a JSON Schema for its `data`: it is registered in the
 * schema registry (one subject per tenant and type, BACKWARD compatibility), and ingest validates events
 * against it. Owners and admins change the catalog; every role reads it.
 */
export function eventTypeRoutes({ config, publisher, schemaRegistry, topicPrefix }: AdminDeps) {
  const subjectOf = (tenantId: string, name: string) => `${topicPrefix}${tenantId}.${name}`;

  async function withSchema(record: EventTypeRecord, schema: Record<string, unknown> | undefined): Promise<EventTypeRecord> {
    if (schema === undefined) return record;
    checkCompiles(schema);
    const { id, version } = await register(schemaRegistry, subjectOf(record.tenantId, record.name), schema);
    return { ...record, schema, schemaId: id, schemaVersion: version };
  }

  return [
    route({
      method: 'get',
      path: '/event-types',
      tags: ['event types'],
      summary: "List the tenant's event types",
      auth: 'apiKey',
      responses: { 200: { description: 'Event types', schema: list(eventType) } },
      async handler({ caller }) {
        return { status: 200, body: { data: [...config.state.eventTypesOf(caller.tenantId)].map(publicEventType) } };
      },
    }),
    route({
      method: 'get',
      path: '/event-types/:name',
      tags: ['event types'],
      summary: 'Read an event type',
      auth: 'apiKey',
      params: nameParams,
      responses: { 200: { description: 'The event type', schema: eventType } },
      errors: ['not_found', 'validation_failed'],
      async handler({ caller, params }) {
        return { status: 200, body: publicEventType(await ownType(config, caller.tenantId, params.name)) };
      },
    }),
    route({
      method: 'post',
      path: '/event-types',
      tags: ['event types'],
      summary: 'Create an event type, optionally with a JSON Schema for its data (registered in the schema registry)',
      auth: 'apiKey',
      role: 'configure',
      quota: 'eventTypes',
      body: createEventTypeInput,
      responses: { 201: { description: 'The event type', schema: eventType } },
      errors: ['conflict', 'unavailable'],
      async handler({ caller, body: input }) {
        if (await config.readFresh((state) => state.eventType(caller.tenantId, input.name))) {
          throw new ApiError('conflict', `event type ${input.name} already exists; PUT /api/admin/event-types/${input.name} changes it`);
        }
        const now = new Date().toISOString();
        const base: EventTypeRecord = {
          kind: 'eventType',
          id: `${caller.tenantId}:${input.name}`,
          tenantId: caller.tenantId,
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          createdAt: now,
          updatedAt: now,
        };
        // The registry first: a schema it refuses must not reach the catalog (ingest would enforce it).
        const record = await withSchema(base, input.schema);
        await config.write(publisher, configKey('eventType', record.id), record);
        return { status: 201, body: publicEventType(record) };
      },
    }),
    route({
      method: 'put',
      path: '/event-types/:name',
      tags: ['event types'],
      summary: "Change an event type's description or schema (the registry checks BACKWARD compatibility)",
      auth: 'apiKey',
      role: 'configure',
      params: nameParams,
      body: updateEventTypeInput,
      responses: { 200: { description: 'The event type', schema: eventType } },
      errors: ['not_found', 'conflict', 'unavailable'],
      async handler({ caller, params, body: input }) {
        const existing = await ownType(config, caller.tenantId, params.name);
        const updated: EventTypeRecord = {
          ...existing,
          ...(input.description === undefined ? {} : { description: input.description }),
          updatedAt: new Date().toISOString(),
        };
        const record = await withSchema(updated, input.schema);
        await config.write(publisher, configKey('eventType', record.id), record);
        return { status: 200, body: publicEventType(record) };
      },
    }),
    // The registry subject is kept: its history documents what producers may have sent, and re-creating the
    // type continues the same compatibility line.
    route({
      method: 'delete',
      path: '/event-types/:name',
      tags: ['event types'],
      summary: 'Delete an event type',
      auth: 'apiKey',
      role: 'configure',
      params: nameParams,
      responses: deleted,
      errors: ['not_found', 'validation_failed'],
      async handler({ caller, params }) {
        const existing = await ownType(config, caller.tenantId, params.name);
        await config.write(publisher, configKey('eventType', existing.id), null);
        return { status: 204 };
      },
    }),
  ];
}
