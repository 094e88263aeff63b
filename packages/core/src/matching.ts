import { filterMatches } from './filters.js';
import { type EndpointRecord, type EventEnvelope, hooklineEventPrefix } from './schemas.js';

/**
 * `*` matches all but Hookline's own events (they reach only endpoints that name them); `a.*` matches `a.b` and `a.b.c` but not `a`; anything else matches
 * exactly.
 */
export function patternMatches(pattern: string, eventType: string): boolean {
  if (pattern === '*') return !eventType.startsWith(hooklineEventPrefix);
  if (pattern.endsWith('.*')) return eventType.startsWith(pattern.slice(0, -1));
  return pattern === eventType;
}

/** Whether an active endpoint should receive the event: type patterns, then channels when both name some. */
export function endpointWants(endpoint: EndpointRecord, event: EventEnvelope): boolean {
  if (!endpoint.isActive || endpoint.tenantId !== event.tenantId) return false;
  if (!endpoint.events.some((p) => patternMatches(p, event.type))) return false;
  if (endpoint.channels?.length) {
    if (!event.channels?.some((c) => endpoint.channels!.includes(c))) return false;
  }
  return endpoint.filter ? filterMatches(endpoint.filter, event.data) : true;
}

/** The value at a dot path inside `data` (own properties only), or undefined. */
export function valueAt(data: unknown, path: string): unknown {
  let current = data;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Builds event data from a body through a `{ target: source }` mapping of dot paths; missing sources are left out. */
export function mapFields(mapping: Record<string, string>, body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [target, source] of Object.entries(mapping)) {
    const value = valueAt(body, source);
    if (value === undefined) continue;
    const parts = target.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      const child = (typeof next === 'object' && next !== null ? next : {}) as Record<string, unknown>;
      node[part] = child;
      node = child;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}
