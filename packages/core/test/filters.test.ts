import fc from 'fast-check';
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import { type FieldOperators, filterMatches, type PayloadFilter, payloadFilter } from '../src/filters.js';

const order = {
  status: 'paid',
  amount: 250,
  currency: 'EUR',
  customer: { tier: 'gold', email: 'ada@shop.test' },
  tags: ['vip', 'repeat'],
  items: [
    { sku: 'A-1', qty: 2 },
    { sku: 'B-7', qty: 1 },
  ],
  refund: null,
};

describe('payload filters with operators', () => {
  it.each<[string, PayloadFilter, boolean]>([
    ['equality', { status: 'paid' }, true],
    ['one of (the stored shape before operators)', { currency: ['USD', 'EUR'] }, true],
    ['$ne', { status: { $ne: 'refunded' } }, true],
    ['$in / $nin', { 'customer.tier': { $in: ['gold', 'platinum'] }, currency: { $nin: ['USD'] } }, true],
    ['$gt $lte on numbers', { amount: { $gt: 100, $lte: 250 } }, true],
    ['$lt fails', { amount: { $lt: 100 } }, false],
    ['comparisons never cross types', { amount: { $gt: '100' } }, false],
    ['$exists', { refund: { $exists: true }, 'customer.phone': { $exists: false } }, true],
    ['null equals an explicit null only', { 'customer.phone': null }, false],
    ['explicit null', { refund: null }, true],
    ['$regex (RE2) with options', { 'customer.email': { $regex: '@SHOP\\.test$', $options: 'i' } }, true],
    ['an array value matches when an element does', { tags: 'vip' }, true],
    ['a path through an array reaches each element', { 'items.sku': 'B-7' }, true],
    ['array index', { 'items.0.qty': { $gte: 2 } }, true],
    ['$and', { $and: [{ status: 'paid' }, { amount: { $gte: 250 } }] }, true],
    ['$or', { $or: [{ status: 'refunded' }, { tags: { $in: ['vip'] } }] }, true],
    ['$not on a filter', { $not: { currency: 'EUR' } }, false],
    ['$not on a field', { amount: { $not: { $gt: 1000 } } }, true],
    ['prototype paths reach nothing', { '__proto__.polluted': { $exists: true } }, false],
  ])('%s', (_name, filter, expected) => {
    expect(payloadFilter.parse(filter)).toEqual(filter);
    expect(filterMatches(filter, order)).toBe(expected);
  });

  it('refuses malformed filters with a reason at the path', () => {
    const reasons = (filter: unknown) =>
      payloadFilter.safeParse(filter).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    expect(reasons({ amount: { $between: [1, 2] } })[0]).toMatch(/^amount/);
    expect(reasons({ $nor: [] })[0]).toMatch(/unknown operator \$nor/);
    expect(reasons({ 'bad path!': 1 })[0]).toMatch(/dot path/);
    expect(reasons({ email: { $regex: '(a)\\1' } })[0]).toMatch(/RE2/);
    expect(reasons({ email: { $regex: '(?=x)' } })[0]).toMatch(/RE2/);
    expect(reasons({ email: { $options: 'i' } })[0]).toMatch(/\$options needs \$regex/);
    expect(reasons({ amount: {} })[0]).toMatch(/at least one operator/);
    expect(reasons([])[0]).toMatch(/must be an object/);
    let deep: PayloadFilter = { status: 'paid' };
    for (let i = 0; i < 10; i++) deep = { $and: [deep] };
    expect(reasons(deep)[0]).toMatch(/nested deeper/);
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, i]));
    expect(reasons(many)[0]).toMatch(/at most 50 conditions/);
  });

  it('evaluates a catastrophic pattern in linear time', () => {
    const filter = { text: { $regex: '^(a+)+$' } };
    expect(payloadFilter.safeParse(filter).success).toBe(true);
    const started = performance.now();
    expect(filterMatches(filter, { text: `${'a'.repeat(100_000)}b` })).toBe(false);
    // A backtracking engine takes longer than the age of the universe here; RE2 takes milliseconds.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

/** The same filter in MongoDB's dialect (mingo evaluates it): Hookline's two deliberate differences spelled out. */
function asMongoQuery(filter: PayloadFilter): Record<string, unknown> {
  const query: Record<string, unknown>[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') query.push({ [key]: (condition as PayloadFilter[]).map(asMongoQuery) });
    else if (key === '$not') query.push({ $nor: [asMongoQuery(condition as PayloadFilter)] });
    else query.push(fieldAsMongo(key, condition as FieldOperators | string | number | boolean | null | unknown[]));
  }
  return query.length === 1 ? query[0]! : { $and: query };
}

function fieldAsMongo(path: string, condition: unknown): Record<string, unknown> {
  if (Array.isArray(condition)) return fieldAsMongo(path, { $in: condition });
  if (condition === null || typeof condition !== 'object') return fieldAsMongo(path, { $eq: condition });
  const parts: Record<string, unknown>[] = [];
  for (const [op, operand] of Object.entries(condition as FieldOperators)) {
    if (op === '$options') continue;
    if (op === '$not') parts.push({ $nor: [fieldAsMongo(path, operand)] });
    else if (op === '$regex') parts.push({ [path]: { $regex: operand, $options: (condition as FieldOperators).$options ?? '' } });
    // MongoDB's null also matches a missing field; Hookline's matches an explicit null only.
    else if ((op === '$eq' || op === '$ne') && operand === null) {
      const isNull = { $and: [{ [path]: { $eq: null } }, { [path]: { $exists: true } }] };
      parts.push(op === '$eq' ? isNull : { $nor: [isNull] });
    } else if ((op === '$in' || op === '$nin') && (operand as unknown[]).includes(null)) {
      const others = (operand as unknown[]).filter((v) => v !== null);
      const either = { $or: [{ [path]: { $in: others } }, ...(fieldAsMongo(path, { $eq: null }).$and as unknown[])] };
      parts.push(op === '$in' ? either : { $nor: [either] });
    } else parts.push({ [path]: { [op]: operand } });
  }
  return { $and: parts };
}

describe('payload filters against a reference (mingo, MongoDB semantics)', () => {
  const keys = ['a', 'b', 'c'] as const;
  const scalar = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y', 'xy', 'Y'), fc.boolean());
  const leaf = fc.oneof(scalar, fc.constant(null));
  // At most one array on any path, of values and objects: past a second array level the references (mingo and
  // sift) disagree with each other and with MongoDB, so they cannot referee there.
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(fc.oneof(leaf, tie('flat')), { maxLength: 3 }), tie('object')),
    object: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 3, noNullPrototype: true }),
    flat: fc.dictionary(fc.constantFrom(...keys), fc.oneof({ depthSize: 'small' }, leaf, tie('flat')), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  })).value;
  const data = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 3, noNullPrototype: true });
  // No numeric segments: reference implementations disagree on them past an array (the examples cover indexes).
  const path = fc.array(fc.constantFrom(...keys), { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
  const ops: fc.Arbitrary<FieldOperators> = fc.oneof(
    fc.record({ $eq: scalar }),
    fc.record({ $ne: scalar }),
    fc.record({ $in: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
    fc.record({ $nin: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
    fc.record({ $gt: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ $gte: fc.constantFrom('x', 'y') }),
    fc.record({ $lt: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ $lte: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ $exists: fc.boolean() }),
    fc.record({ $regex: fc.constantFrom('^x', 'y$', 'x|Y', '.'), $options: fc.constantFrom('', 'i') }),
  );
  const field = fc.oneof(
    ops,
    ops.map(($not) => ({ $not })),
    scalar,
  );
  const filter: fc.Arbitrary<PayloadFilter> = fc.letrec((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      fc.dictionary(path, field, { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
      fc.record({ $and: fc.array(tie('filter'), { minLength: 1, maxLength: 2 }) }),
      fc.record({ $or: fc.array(tie('filter'), { minLength: 1, maxLength: 2 }) }),
      fc.record({ $not: tie('filter') }),
    ),
  })).filter as fc.Arbitrary<PayloadFilter>;

  it('agrees with the reference on random data and filters', () => {
    fc.assert(
      fc.property(filter, data, (f, d) => {
        expect(payloadFilter.safeParse(f).success).toBe(true);
        expect(filterMatches(f, d)).toBe(new Query(asMongoQuery(f)).test(d));
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});
