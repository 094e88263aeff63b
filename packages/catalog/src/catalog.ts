import { type EventTypeRecord, hooklineEventPrefix } from '@hookline/core';
import type { ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { maxJsonDepth, nestsDeeperThan } from './depth.js';
import { compileEventSchema, SchemaNotAccepted } from './schemas.js';

/** What the catalog reads of the configuration (`ConfigState` has it). */
export interface CatalogState {
  eventType(tenantId: string, name: string): EventTypeRecord | undefined;
  eventTypesOf(tenantId: string): Iterable<EventTypeRecord>;
}

export interface Problem {
  path: string;
  message: string;
  keyword?: string;
  params?: unknown;
}

/** Why an event is refused: the API error code ingest answers with, and what fanout writes to `rejected`. */
export interface Refusal {
  code: 'unknown_event_type' | 'validation_failed';
  message: string;
  problems: Problem[];
}

export interface EventCatalogOptions {
  /** Compiled validators kept (least recently used dropped first); a dropped one is compiled again when needed. */
  maxValidators?: number;
}

/**
 * The rules an event must pass wherever it enters (HTTP ingest and the Kafka-native path through fanout): data
 * nested at most `maxJsonDepth` levels; a type outside Hookline's reserved `hookline.*` (unless the caller is
 * Hookline itself); with a catalog, a listed type whose data matches the type's JSON Schema. A tenant without a
 * catalog accepts any type (as before catalogs existed). Compiled validators are cached per registry schema id
 * and version in a bounded LRU, so one tenant with many schemas cannot grow the cache without limit.
 */
export class EventCatalog {
  private readonly validators: LRUCache<string, ValidateFunction | SchemaNotAccepted>;

  constructor({ maxValidators = 1000 }: EventCatalogOptions = {}) {
    this.validators = new LRUCache({ max: maxValidators });
  }

  /** Checks one event; `path` prefixes each problem's path (e.g. `events.3.`). */
  check(
    state: CatalogState,
    tenantId: string,
    event: { type: string; data: unknown },
    { path = '', allowReserved = false }: { path?: string; allowReserved?: boolean } = {},
  ): Refusal | undefined {
    if (nestsDeeperThan(event.data, maxJsonDepth)) {
      return refusal('validation_failed', `event data nests deeper than ${maxJsonDepth} levels`, [
        { path: `${path}data`, message: `nests deeper than ${maxJsonDepth} levels`, keyword: 'maxDepth' },
      ]);
    }
    if (!allowReserved && event.type.startsWith(hooklineEventPrefix)) {
      return refusal('validation_failed', `the "${hooklineEventPrefix}" prefix is reserved for Hookline's own events`, [
        { path: `${path}type`, message: 'reserved event type' },
      ]);
    }
    const type = state.eventType(tenantId, event.type);
    if (!type) {
      if (isEmpty(state.eventTypesOf(tenantId))) return undefined;
      return refusal('unknown_event_type', `event type ${event.type} is not in the tenant's catalog`, [
        { path: `${path}type`, message: 'unknown event type' },
      ]);
    }
    const validator = this.validatorFor(type);
    if (validator instanceof SchemaNotAccepted) {
      return refusal('validation_failed', `the schema of event type ${type.name} cannot be evaluated: ${validator.reason}`, [
        { path: `${path}data`, message: 'the type has a schema that cannot be evaluated; change it with PUT /api/admin/event-types' },
      ]);
    }
    if (!validator || validator(event.data)) return undefined;
    return refusal(
      'validation_failed',
      "event data does not match its type's schema",
      (validator.errors ?? []).map((e) => ({
        path: `${path}data${e.instancePath.replaceAll('/', '.')}`,
        message: e.message ?? 'is invalid',
        keyword: e.keyword,
        params: e.params,
      })),
    );
  }

  private validatorFor(type: EventTypeRecord): ValidateFunction | SchemaNotAccepted | undefined {
    if (!type.schema) return undefined;
    const cacheKey = `${type.tenantId}:${type.schemaId ?? type.id}@${type.schemaVersion ?? type.updatedAt}`;
    let validator = this.validators.get(cacheKey);
    if (!validator) {
      try {
        validator = compileEventSchema(type.schema);
      } catch (error) {
        if (!(error instanceof SchemaNotAccepted)) throw error;
        validator = error;
      }
      this.validators.set(cacheKey, validator);
    }
    return validator;
  }

  /** How many compiled validators are held (for tests and metrics). */
  get cachedValidators(): number {
    return this.validators.size;
  }
}

function refusal(code: Refusal['code'], message: string, problems: Problem[]): Refusal {
  return { code, message, problems };
}

function isEmpty(items: Iterable<unknown>): boolean {
  for (const _ of items) return false;
  return true;
}
