import type { ConfigView } from '@hookline/config';
import { ApiError, type EventTypeRecord } from '@hookline/core';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Checks events against the tenant's event-type catalog: a tenant without a catalog accepts any type (as
 * before catalogs existed); with one, the type must be listed, and its `data` must match the type's schema.
 * Compiled validators are cached per registry schema id and version, so a new version compiles once.
 */
export class EventSchemas {
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly config: ConfigView) {}

  /** Throws 422 `unknown_event_type` or `validation_failed` (with `path` prefixed to each problem). */
  async check(
    tenantId: string,
    events: ReadonlyArray<{ type: string; data: unknown }>,
    pathOf: (index: number) => string = () => '',
  ): Promise<void> {
    const problems: { path: string; message: string; keyword?: string; params?: unknown }[] = [];
    // A type created a moment ago through config-api may not have reached this view yet: on any miss, catch
    // up once for the whole request (concurrent catch-ups share one broker round trip).
    if (events.some((e) => !this.config.state.eventType(tenantId, e.type))) await this.config.catchUp();
    const state = this.config.state;
    const hasCatalog = !isEmpty(state.eventTypesOf(tenantId));
    for (const [index, event] of events.entries()) {
      const type = state.eventType(tenantId, event.type);
      if (!type) {
        if (hasCatalog) {
          throw new ApiError('unknown_event_type', `event type ${event.type} is not in the tenant's catalog`, [
            { path: `${pathOf(index)}type`, message: 'unknown event type' },
          ]);
        }
        continue;
      }
      const validator = this.validatorFor(type);
      if (validator && !validator(event.data)) {
        for (const e of validator.errors ?? []) {
          problems.push({
            path: `${pathOf(index)}data${e.instancePath.replaceAll('/', '.')}`,
            message: e.message ?? 'is invalid',
            keyword: e.keyword,
            params: e.params,
          });
        }
      }
    }
    if (problems.length) throw new ApiError('validation_failed', "event data does not match its type's schema", problems);
  }

  private validatorFor(type: EventTypeRecord): ValidateFunction | undefined {
    if (!type.schema) return undefined;
    const cacheKey = `${type.schemaId ?? type.id}@${type.schemaVersion ?? type.updatedAt}`;
    let validator = this.compiled.get(cacheKey);
    if (!validator) {
      // One Ajv per schema: two versions sharing a `$id` would otherwise collide in Ajv's own registry.
      validator = new Ajv({ strict: false, allErrors: true }).compile(type.schema);
      this.compiled.set(cacheKey, validator);
    }
    return validator;
  }
}

function isEmpty(items: Iterable<unknown>): boolean {
  for (const _ of items) return false;
  return true;
}
