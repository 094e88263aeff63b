import { EventCatalog, type Refusal } from '@hookline/catalog';
import type { ConfigView } from '@hookline/config';
import { ApiError } from '@hookline/core';

/**
 * Ingest's side of the event rules (`@hookline/catalog`, shared with fanout's Kafka-native path): data depth,
 * reserved types, the tenant's catalog and the type's JSON Schema. A refusal is a 422 with its problems.
 */
export class EventSchemas {
  private readonly catalog = new EventCatalog();

  constructor(private readonly config: ConfigView) {}

  /** Throws 422 `unknown_event_type` or `validation_failed` (with `path` prefixed to each problem). */
  async check(
    tenantId: string,
    events: ReadonlyArray<{ type: string; data: unknown }>,
    pathOf: (index: number) => string = () => '',
  ): Promise<void> {
    // A type created a moment ago through config-api may not have reached this view yet: on any miss, catch
    // up once for the whole request (concurrent catch-ups share one broker round trip).
    if (events.some((e) => !this.config.state.eventType(tenantId, e.type))) await this.config.catchUp();
    const state = this.config.state;
    const refusals: Refusal[] = [];
    for (const [index, event] of events.entries()) {
      const refused = this.catalog.check(state, tenantId, event, { path: pathOf(index) });
      // An unknown type answers at once, as before; schema problems of every item are reported together.
      if (refused?.code === 'unknown_event_type') throw new ApiError(refused.code, refused.message, refused.problems);
      if (refused) refusals.push(refused);
    }
    const [first] = refusals;
    if (!first) return;
    const message = refusals.every((r) => r.message === first.message) ? first.message : 'events do not pass validation';
    throw new ApiError(
      'validation_failed',
      message,
      refusals.flatMap((r) => r.problems),
    );
  }
}
