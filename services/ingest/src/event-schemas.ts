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

  /**
   * Throws 422 `unknown_event_type` or `validation_failed` (with `path` prefixed to each problem).
   *
   * Refuses only on a current view: a type created or a schema loosened a moment ago through config-api may not
   * have reached this view yet, so a refusal first catches up (concurrent catch-ups share one broker round trip)
   * and checks again. Accepting needs no catch-up: a view a few milliseconds behind accepts what the previous
   * config accepted, the staleness a schema change or a deletion has anyway. Catching up before every event of an
   * unknown type cost tenants without a catalog (where every type is unknown) a broker round trip per request.
   */
  async check(
    tenantId: string,
    events: ReadonlyArray<{ type: string; data: unknown }>,
    pathOf: (index: number) => string = () => '',
  ): Promise<void> {
    if (!this.refusal(tenantId, events, pathOf)) return;
    await this.config.catchUp();
    const refusal = this.refusal(tenantId, events, pathOf);
    if (refusal) throw refusal;
  }

  /** The 422 the current view gives these events, if any. */
  private refusal(
    tenantId: string,
    events: ReadonlyArray<{ type: string; data: unknown }>,
    pathOf: (index: number) => string,
  ): ApiError | undefined {
    const state = this.config.state;
    const refusals: Refusal[] = [];
    for (const [index, event] of events.entries()) {
      const refused = this.catalog.check(state, tenantId, event, { path: pathOf(index) });
      // An unknown type answers at once, as before; schema problems of every item are reported together.
      if (refused?.code === 'unknown_event_type') return new ApiError(refused.code, refused.message, refused.problems);
      if (refused) refusals.push(refused);
    }
    const [first] = refusals;
    if (!first) return undefined;
    const message = refusals.every((r) => r.message === first.message) ? first.message : 'events do not pass validation';
    return new ApiError(
      'validation_failed',
      message,
      refusals.flatMap((r) => r.problems),
    );
  }
}
