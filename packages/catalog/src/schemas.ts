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

/** Compiles a JSON Schema for event data, or throws `SchemaNotAccepted` (too large, invalid, a pattern RE2 cannot run). */
export function compileEventSchema(schema: object): ValidateFunction {
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > maxSchemaBytes) throw new SchemaNotAccepted(`schema is ${bytes} bytes; at most ${maxSchemaBytes} are accepted`);
  try {
    // One Ajv per schema: two versions sharing a `$id` would otherwise collide in Ajv's own registry.
    return new Ajv({ strict: false, allErrors: true, code: { regExp: linearRegExp } }).compile(schema);
  } catch (error) {
    throw new SchemaNotAccepted((error as Error).message);
  }
}
