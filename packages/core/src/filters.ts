import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * Payload filters: MongoDB-style conditions on dot paths into an event's `data` (Convoy's operator set).
 *
 * `{ "status": "paid", "amount": { "$gte": 100 }, "$or": [{ "tags": "vip" }, { "customer.tier": { "$in": ["gold"] } }] }`
 *
 * Semantics follow MongoDB's query language, so a filter means what its authors already know: a path through an
 * array reaches every element, an array value matches when any element does, comparisons only compare numbers with
 * numbers and strings with strings. Two deliberate differences keep the filters Hookline stored before operators
 * existed meaning what they meant: a plain array as a condition (`{ "priority": ["high", "urgent"] }`) means "one
 * of", and `null` equals an explicit `null` only (MongoDB also matches a missing field; use `$exists: false`). Regular expressions run on RE2 (linear time), so no pattern can stall the service that evaluates it.
 */

const scalar = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);
type FilterScalar = z.infer<typeof scalar>;
const scalarList = z.array(scalar).max(100);

const dotPath = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dot path like "status" or "project.priority"');

const regexFlags = z.string().regex(/^[ims]*$/, 'only the flags i, m and s are supported');

/** A regular expression RE2 accepts (no backreferences or lookaround); refused at the edge, never at delivery. */
const safePattern = z
  .string()
  .max(512)
  .superRefine((pattern, ctx) => {
    try {
      RE2JS.compile(pattern);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a supported regular expression (RE2 syntax): ${(error as Error).message}` });
    }
  });

export interface FieldOperators {
  $eq?: FilterScalar;
  $ne?: FilterScalar;
  $in?: FilterScalar[];
  $nin?: FilterScalar[];
  $gt?: number | string;
  $gte?: number | string;
  $lt?: number | string;
  $lte?: number | string;
  $exists?: boolean;
  $regex?: string;
  $options?: string;
  $not?: FieldOperators;
}

const ordered = z.union([z.number(), z.string().max(1024)]);

const fieldOperators: z.ZodType<FieldOperators> = z.lazy(() =>
  z
    .strictObject({
      $eq: scalar.optional(),
      $ne: scalar.optional(),
      $in: scalarList.optional(),
      $nin: scalarList.optional(),
      $gt: ordered.optional(),
      $gte: ordered.optional(),
      $lt: ordered.optional(),
      $lte: ordered.optional(),
      $exists: z.boolean().optional(),
      $regex: safePattern.optional(),
      $options: regexFlags.optional(),
      $not: fieldOperators.optional(),
    })
    .refine((ops) => Object.keys(ops).length > 0, 'an operator object needs at least one operator')
    .refine((ops) => ops.$options === undefined || ops.$regex !== undefined, '$options needs $regex'),
);

/** What may follow a dot path: a value (equality), a list (one of) or operators. */
export type FieldCondition = FilterScalar | FilterScalar[] | FieldOperators;

export interface PayloadFilter {
  $and?: PayloadFilter[];
  $or?: PayloadFilter[];
  $not?: PayloadFilter;
  [path: string]: FieldCondition | PayloadFilter[] | PayloadFilter | undefined;
}

const limits = { depth: 6, conditions: 50 };

const filterNode: z.ZodType<PayloadFilter> = z.lazy(() =>
  z.record(z.string(), z.unknown()).superRefine((node, ctx) => {
    for (const [key, value] of Object.entries(node)) {
      const parsed = key.startsWith('$') ? logicalOperand(key).safeParse(value) : fieldCondition(key).safeParse(value);
      if (parsed.success) continue;
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issue.message });
      }
    }
  }),
) as unknown as z.ZodType<PayloadFilter>;

function logicalOperand(key: string): z.ZodType {
  if (key === '$and' || key === '$or') return z.array(filterNode).min(1).max(limits.conditions);
  if (key === '$not') return filterNode;
  return z.never({ error: `unknown operator ${key}; logical operators are $and, $or and $not` });
}

function fieldCondition(key: string): z.ZodType {
  const path = dotPath.safeParse(key);
  if (!path.success) return z.never({ error: path.error.issues[0]?.message ?? 'bad path' });
  return z.union([scalar, scalarList.min(1), fieldOperators], {
    error: 'must be a value, a list of values or an object of operators ($eq $ne $in $nin $gt $gte $lt $lte $exists $regex $not)',
  });
}

/** How deeply `$and`/`$or`/`$not` nest, how many field conditions there are, and the raw JSON depth. */
function measure(filter: unknown): { logical: number; conditions: number; json: number } {
  if (filter === null || typeof filter !== 'object') return { logical: 0, conditions: 0, json: 0 };
  let logical = 0;
  let conditions = 0;
  let json = 0;
  for (const [key, child] of Object.entries(filter)) {
    const isLogical = key === '$and' || key === '$or' || key === '$not';
    if (!Array.isArray(filter) && !key.startsWith('$')) conditions++;
    const inner = measure(child);
    logical = Math.max(logical, inner.logical + (isLogical && !Array.isArray(child) ? 1 : 0), Array.isArray(filter) ? inner.logical : 0);
    if (isLogical && Array.isArray(child)) logical = Math.max(logical, inner.logical + 1);
    conditions += inner.conditions;
    json = Math.max(json, inner.json);
  }
  return { logical, conditions, json: json + 1 };
}

/** The `filter` setting of an endpoint, validated with a reason for every refusal. */
export const payloadFilter: z.ZodType<PayloadFilter> = z
  .record(z.string(), z.unknown(), { error: 'must be an object' })
  .superRefine((value, ctx) => {
    const size = measure(value);
    if (size.logical > limits.depth || size.json > limits.depth * 4) {
      ctx.addIssue({ code: 'custom', message: `nested deeper than ${limits.depth} levels of $and, $or and $not` });
    } else if (size.conditions > limits.conditions) ctx.addIssue({ code: 'custom', message: `at most ${limits.conditions} conditions` });
  })
  .pipe(filterNode as z.ZodType<PayloadFilter, Record<string, unknown>>)
  .meta({
    description:
      'MongoDB-style conditions on dot paths into the event data: a value, a list (one of), or operators $eq $ne $in $nin $gt $gte $lt $lte $exists $regex (RE2) $not; combine with $and, $or, $not',
  });

/** Every value the dot path reaches; a path through an array reaches each element (MongoDB's rule). */
function valuesAt(data: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) return [data];
  const [head, ...rest] = parts as [string, ...string[]];
  if (Array.isArray(data)) {
    const reached: unknown[] = [];
    if (/^\d+$/.test(head) && Number(head) < data.length) reached.push(...valuesAt(data[Number(head)], rest));
    for (const element of data)
      if (element !== null && typeof element === 'object' && !Array.isArray(element)) reached.push(...valuesAt(element, parts));
    return reached;
  }
  if (data === null || typeof data !== 'object' || !Object.hasOwn(data, head)) return [undefined];
  return valuesAt((data as Record<string, unknown>)[head], rest);
}

/** The values a comparison sees: a value, and each element of an array value as well. */
function candidates(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? [v, ...v] : [v]));
}

/** `null` equals an explicit null only, as in the filters Hookline stored before operators (`$exists` asks for absence). */
function equals(actual: unknown, expected: FilterScalar): boolean {
  return actual === expected;
}

function compare(actual: unknown, bound: number | string, test: (order: number) => boolean): boolean {
  if (typeof actual !== typeof bound || (typeof actual !== 'number' && typeof actual !== 'string')) return false;
  return test(actual < bound ? -1 : actual > bound ? 1 : 0);
}

/** The pattern compiled once per condition, not once per value it is tried on (RE2 compilation is the costly part). */
function compileRegex(pattern: string, options = ''): RE2JS {
  let flags = 0;
  if (options.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.includes('m')) flags |= RE2JS.MULTILINE;
  if (options.includes('s')) flags |= RE2JS.DOTALL;
  return RE2JS.compile(pattern, flags);
}

function operatorsHold(ops: FieldOperators, values: unknown[]): boolean {
  const all = candidates(values);
  const any = (test: (v: unknown) => boolean) => all.some(test);
  for (const [op, operand] of Object.entries(ops)) {
    if (operand === undefined) continue;
    switch (op) {
      case '$eq':
        if (!any((v) => equals(v, operand as FilterScalar))) return false;
        break;
      case '$ne':
        if (any((v) => equals(v, operand as FilterScalar))) return false;
        break;
      case '$in':
        if (!any((v) => (operand as FilterScalar[]).some((e) => equals(v, e)))) return false;
        break;
      case '$nin':
        if (any((v) => (operand as FilterScalar[]).some((e) => equals(v, e)))) return false;
        break;
      case '$gt':
        if (!any((v) => compare(v, operand as number | string, (o) => o > 0))) return false;
        break;
      case '$gte':
        if (!any((v) => compare(v, operand as number | string, (o) => o >= 0))) return false;
        break;
      case '$lt':
        if (!any((v) => compare(v, operand as number | string, (o) => o < 0))) return false;
        break;
      case '$lte':
        if (!any((v) => compare(v, operand as number | string, (o) => o <= 0))) return false;
        break;
      case '$exists':
        if (values.some((v) => v !== undefined) !== operand) return false;
        break;
      case '$regex': {
        const regex = compileRegex(operand as string, ops.$options);
        if (!any((v) => typeof v === 'string' && regex.matcher(v).find())) return false;
        break;
      }
      case '$not':
        if (operatorsHold(operand as FieldOperators, values)) return false;
        break;
    }
  }
  return true;
}

function conditionHolds(condition: FieldCondition, values: unknown[]): boolean {
  if (Array.isArray(condition)) return operatorsHold({ $in: condition }, values);
  if (condition !== null && typeof condition === 'object') return operatorsHold(condition, values);
  return operatorsHold({ $eq: condition }, values);
}

/** Whether `data` satisfies every condition of the filter (an empty filter matches everything). */
export function filterMatches(filter: PayloadFilter, data: unknown): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (condition === undefined) continue;
    if (key === '$and') {
      if (!(condition as PayloadFilter[]).every((f) => filterMatches(f, data))) return false;
    } else if (key === '$or') {
      if (!(condition as PayloadFilter[]).some((f) => filterMatches(f, data))) return false;
    } else if (key === '$not') {
      if (filterMatches(condition as PayloadFilter, data)) return false;
    } else if (!conditionHolds(condition as FieldCondition, valuesAt(data, key.split('.')))) {
      return false;
    }
  }
  return true;
}
