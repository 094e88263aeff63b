import { Ajv, type ValidateFunction } from 'ajv';
import { RE2JS } from 're2js';

/** Largest JSON Schema an event type may carry, as JSON text: every ingest and fanout process compiles it. */
export const maxSchemaBytes = 64 * 1024;

/** Why a JSON Schema cannot be used to validate events; config-api answers it as 422 `validation_failed`. */
export class SchemaNotAccepted extends Error {
  constructor(readonly reason: string) {
    super(`schema not accepted: ${reason}`);
    this.name = 'SchemaNotAccepted';
  }
}

/**
 * `pattern` and `patternProperties` run on RE2 (RE2JS, pure JavaScript): matching takes time linear in the
 * input whatever the pattern, so a tenant's `(a+)+$` cannot stall the event loop that serves every tenant.
 * RE2 has no look-around or back-references; a schema using them does not compile and is refused at the API.
 * ECMAScript syntax is translated to RE2's first (`\d`, `\u00e9`, `/`).
 */
const linearRegExp = Object.assign((pattern: string) => RE2JS.compile(RE2JS.translateRegExp(pattern)), {
  code: 'RE2JS.compile',
});

/** Most items a `uniqueItems` array of non-scalar items may be declared to hold (`maxItems`). */
export const maxUniqueItems = 1000;

const scalarTypes = new Set(['string', 'number', 'integer', 'boolean', 'null']);
/** Keywords whose values are data, not subschemas: a `uniqueItems` inside them is not a rule. */
const dataKeywords = new Set(['const', 'enum', 'default', 'examples']);

/**
 * Ajv checks `uniqueItems` by comparing every pair of items unless they are declared scalars (then it hashes):
 * a 1 MiB array of small objects would take minutes of the shared event loop. Such a rule must bound the array.
 */
function unboundedUniqueItems(schema: object): string | undefined {
  const stack: unknown[] = [schema];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    if (record.uniqueItems === true && !Array.isArray(node)) {
      const items = record.items as { type?: unknown } | undefined;
      const itemTypes = [items?.type].flat();
      const scalar = itemTypes.length > 0 && itemTypes.every((t) => typeof t === 'string' && scalarTypes.has(t));
      const bounded = typeof record.maxItems === 'number' && record.maxItems <= maxUniqueItems;
      if (!scalar && !bounded) {
        return `uniqueItems needs items of a scalar type or maxItems of at most ${maxUniqueItems} (the check is quadratic otherwise)`;
      }
    }
    for (const [key, value] of Object.entries(record)) if (!dataKeywords.has(key)) stack.push(value);
  }
  return undefined;
}

/**
 * Compiles a JSON Schema for event data, or throws `SchemaNotAccepted` (too large, invalid, a pattern RE2 cannot
 * run, an unbounded `uniqueItems`).
 */
export function compileEventSchema(schema: object): ValidateFunction {
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > maxSchemaBytes) throw new SchemaNotAccepted(`schema is ${bytes} bytes; at most ${maxSchemaBytes} are accepted`);
  const quadratic = unboundedUniqueItems(schema);
  if (quadratic) throw new SchemaNotAccepted(quadratic);
  try {
    // One Ajv per schema: two versions sharing a `$id` would otherwise collide in Ajv's own registry.
    return new Ajv({ strict: false, allErrors: true, code: { regExp: linearRegExp } }).compile(schema);
  } catch (error) {
    throw new SchemaNotAccepted((error as Error).message);
  }
}
