import { ApiError, configKey, eventTypeName, requireConfigureRole, type EventTypeRecord } from '@hookline/core';
import type { ConfigView, Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import { Ajv } from 'ajv';
import { Router } from 'express';
import { z } from 'zod';
import { SchemaRegistryClient } from './schema-registry.js';

/** A JSON Schema document: only "an object" is checked here; the registry and ajv judge its contents. */
const jsonSchema = z.record(z.string(), z.unknown());

export const createEventTypeInput = z.object({
  name: eventTypeName,
  description: z.string().max(1000).optional(),
  schema: jsonSchema.optional(),
});

export const updateEventTypeInput = z.object({
  description: z.string().max(1000).optional(),
  schema: jsonSchema.optional(),
});

export interface EventTypeOptions {
  /** Confluent-compatible registry REST base (SCHEMA_REGISTRY_URL); without it, schemas answer 503. */
  schemaRegistryUrl: string | undefined;
  /** Subjects are `<prefix><tenantId>.<name>`, so deployments sharing a registry do not collide. */
  topicPrefix: string;
}

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

/**
 * The tenant's event-type catalog. A type may carry a JSON Schema for its `data`: it is registered in the
 * schema registry (one subject per tenant and type, BACKWARD compatibility), and ingest validates events
 * against it. Owners and admins change the catalog; every role reads it.
 */
export function eventTypeRoutes(config: ConfigView, producer: Producer, options: EventTypeOptions): Router {
  const router = Router();
  const registry = new SchemaRegistryClient(options.schemaRegistryUrl);
  const subjectOf = (tenantId: string, name: string) => `${options.topicPrefix}${tenantId}.${name}`;

  async function ownType(tenantId: string, rawName: string): Promise<EventTypeRecord> {
    const name = validate(eventTypeName, rawName, 'event type name');
    const found = await config.readFresh((state) => state.eventType(tenantId, name));
    if (!found) throw new ApiError('not_found', 'no such event type');
    return found;
  }

  async function withSchema(record: EventTypeRecord, schema: Record<string, unknown> | undefined): Promise<EventTypeRecord> {
    if (schema === undefined) return record;
    checkCompiles(schema);
    const { id, version } = await registry.registerJsonSchema(subjectOf(record.tenantId, record.name), schema);
    return { ...record, schema, schemaId: id, schemaVersion: version };
  }

  router.get('/event-types', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    res.json({ data: [...config.state.eventTypesOf(caller.tenantId)].map(publicEventType) });
  });

  router.get('/event-types/:name', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    res.json(publicEventType(await ownType(caller.tenantId, req.params.name)));
  });

  router.post('/event-types', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const input = validate(createEventTypeInput, req.body);
    if (await config.readFresh((state) => state.eventType(caller.tenantId, input.name))) {
      throw new ApiError('conflict', `event type ${input.name} already exists; PUT /api/admin/event-types/${input.name} changes it`);
    }
    const now = new Date().toISOString();
    const base: EventTypeRecord = {
      kind: 'eventType', id: `${caller.tenantId}:${input.name}`, tenantId: caller.tenantId, name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }), createdAt: now, updatedAt: now,
    };
    // The registry first: a schema it refuses must not reach the catalog (ingest would enforce it).
    const record = await withSchema(base, input.schema);
    await config.write(producer, configKey('eventType', record.id), record);
    res.status(201).json(publicEventType(record));
  });

  router.put('/event-types/:name', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const existing = await ownType(caller.tenantId, req.params.name);
    const input = validate(updateEventTypeInput, req.body);
    const updated: EventTypeRecord = {
      ...existing,
      ...(input.description === undefined ? {} : { description: input.description }),
      updatedAt: new Date().toISOString(),
    };
    const record = await withSchema(updated, input.schema);
    await config.write(producer, configKey('eventType', record.id), record);
    res.json(publicEventType(record));
  });

  // The registry subject is kept: its history documents what producers may have sent, and re-creating the
  // type continues the same compatibility line.
  router.delete('/event-types/:name', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const existing = await ownType(caller.tenantId, req.params.name);
    await config.write(producer, configKey('eventType', existing.id), null);
    res.status(204).end();
  });

  return router;
}
