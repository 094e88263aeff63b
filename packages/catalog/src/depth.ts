/**
 * How deep event data may nest (objects and arrays). Ingest and fanout apply the same cap: `JSON.stringify`
 * and ajv recurse, and data a few thousand levels deep overflows their stack, so such an event must be refused
 * where it enters (422 at ingest, `rejected` at fanout) rather than fail wherever it is encoded next.
 */
export const maxJsonDepth = 64;

/**
 * Whether a parsed JSON value nests objects or arrays deeper than `max` levels (a scalar is depth 0, `{}` and
 * `[]` depth 1). Walked with an explicit stack, so any depth is safe to measure; byte arrays (Avro `bytes`)
 * count as leaves.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const current = item.value;
    if (typeof current !== 'object' || current === null || ArrayBuffer.isView(current)) continue;
    const depth = item.depth + 1;
    if (depth > max) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}
