import type { EventTypeRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { type CatalogState, compileEventSchema, EventCatalog, maxSchemaBytes, nestsDeeperThan, SchemaNotAccepted } from '../src/index.js';

function catalogOf(...types: Partial<EventTypeRecord>[]): CatalogState {
  const records = types.map(
    (t, i) => ({ kind: 'eventType', id: `ten_1:${t.name}`, tenantId: 'ten_1', createdAt: '', updatedAt: `${i}`, ...t }) as EventTypeRecord,
  );
  return {
    eventType: (tenantId, name) => records.find((r) => r.tenantId === tenantId && r.name === name),
    eventTypesOf: (tenantId) => records.filter((r) => r.tenantId === tenantId),
  };
}

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe('nestsDeeperThan', () => {
  it('measures objects and arrays at any depth without recursion', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan(nested(64), 64)).toBe(false);
    expect(nestsDeeperThan(nested(65), 64)).toBe(true);
    expect(nestsDeeperThan(nested(200_000), 64)).toBe(true);
    expect(nestsDeeperThan({ bytes: Buffer.alloc(10) }, 1)).toBe(false);
  });
});

describe('compileEventSchema', () => {
  it('runs patterns on a linear-time engine: a catastrophic pattern answers at once', () => {
    const validate = compileEventSchema({
      type: 'object',
      properties: { s: { type: 'string', pattern: '^(a+)+$' } },
      patternProperties: { '^(x+x+)+y$': { type: 'number' } },
    });
    const started = performance.now();
    expect(validate({ s: `${'a'.repeat(100_000)}!` })).toBe(false);
    expect(validate({ [`${'x'.repeat(50_000)}`]: 'not a number' })).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(validate({ s: 'aaaa' })).toBe(true);
    expect(compileEventSchema({ type: 'string', pattern: '^\\d{3}-[a-z]+/x$' })('123-abc/x')).toBe(true);
  });

  it('refuses what it cannot run safely or is too large, with the reason', () => {
    expect(() => compileEventSchema({ type: 'string', pattern: '^(?=a)' })).toThrow(SchemaNotAccepted);
    expect(() => compileEventSchema({ type: 'string', pattern: '(a)\\1' })).toThrow(SchemaNotAccepted);
    expect(() => compileEventSchema({ type: 'nope' })).toThrow(SchemaNotAccepted);
    expect(() => compileEventSchema({ type: 'object', properties: { tags: { type: 'array', uniqueItems: true } } })).toThrow(
      /uniqueItems needs items of a scalar type or maxItems of at most 1000/,
    );
    expect(() => compileEventSchema({ type: 'array', uniqueItems: true, items: { type: ['string', 'integer'] } })).not.toThrow();
    expect(() => compileEventSchema({ type: 'array', uniqueItems: true, maxItems: 1000 })).not.toThrow();
    expect(() => compileEventSchema({ enum: [{ uniqueItems: true }] })).not.toThrow();
    const large = { type: 'object', description: 'x'.repeat(maxSchemaBytes) };
    expect(() => compileEventSchema(large)).toThrow(/at most 65536/);
  });
});

describe('EventCatalog', () => {
  it('accepts any type without a catalog, and refuses reserved types and too deep data everywhere', () => {
    const catalog = new EventCatalog();
    const none = catalogOf();
    expect(catalog.check(none, 'ten_1', { type: 'any.thing', data: {} })).toBeUndefined();
    expect(catalog.check(none, 'ten_1', { type: 'hookline.alert', data: {} })).toMatchObject({ code: 'validation_failed' });
    expect(catalog.check(none, 'ten_1', { type: 'hookline.alert', data: {} }, { allowReserved: true })).toBeUndefined();
    expect(catalog.check(none, 'ten_1', { type: 'a.b', data: nested(6000) }, { path: 'events.2.' })).toEqual({
      code: 'validation_failed',
      message: 'event data nests deeper than 64 levels',
      problems: [{ path: 'events.2.data', message: 'nests deeper than 64 levels', keyword: 'maxDepth' }],
    });
  });

  it('checks the catalog and the schema, and names a stored schema it cannot evaluate', () => {
    const catalog = new EventCatalog();
    const state = catalogOf(
      { name: 'order.placed', schema: { type: 'object', required: ['id'] } },
      { name: 'legacy.type', schema: { type: 'string', pattern: '(?<=a)b' } },
    );
    expect(catalog.check(state, 'ten_1', { type: 'order.placed', data: { id: 1 } })).toBeUndefined();
    expect(catalog.check(state, 'ten_1', { type: 'order.lost', data: {} })).toMatchObject({ code: 'unknown_event_type' });
    expect(catalog.check(state, 'ten_1', { type: 'order.placed', data: {} })).toMatchObject({
      code: 'validation_failed',
      problems: [{ path: 'data', keyword: 'required' }],
    });
    expect(catalog.check(state, 'ten_1', { type: 'legacy.type', data: 'b' })).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/schema of event type legacy\.type cannot be evaluated/),
    });
  });

  it('keeps at most maxValidators compiled validators', () => {
    const catalog = new EventCatalog({ maxValidators: 3 });
    const types = Array.from({ length: 10 }, (_, i) => ({ name: `t.${i}`, schemaId: i, schemaVersion: 1, schema: { type: 'object' } }));
    const state = catalogOf(...types);
    for (const t of types) expect(catalog.check(state, 'ten_1', { type: t.name, data: {} })).toBeUndefined();
    expect(catalog.cachedValidators).toBe(3);
  });
});
