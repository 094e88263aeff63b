import type { EndpointRecord, EventEnvelope } from './schemas.js';

/** `*` matches all; `a.*` matches `a.b` and `a.b.c` but not `a`; anything else matches exactly. */
export function patternMatches(pattern: string, eventType: string): boolean {
  if (pattern === '*') return true;
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
  return true;
}
