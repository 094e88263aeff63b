import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfluentSchemaRegistry,
  isFramed,
  SchemaNotFound,
  SchemaRefused,
  SchemaRegistryUnavailable,
  UndecodableRecord,
  UnknownSchemaId,
} from '../src/index.js';

type Answer = [status: number, json: unknown];
const subjectNotFound: Answer = [404, { error_code: 40401, message: 'Subject not found' }];
const schemaNotFound: Answer = [404, { error_code: 40403, message: 'Schema not found' }];

/** A Confluent-compatible registry on loopback with the few routes the client calls. */
function fakeRegistry() {
  const schemas: { id: number; subject: string; version: number; schema: string; schemaType?: string }[] = [];
  const config = new Map<string, string>();
  const failIds = new Set<number>();
  const routes: [RegExp, (subjectOrId: string, method: string, body: Record<string, string>) => Answer][] = [
    [
      /^\/config\/(.+)$/,
      (subject, method, body) => {
        if (method === 'PUT') {
          config.set(subject, body.compatibility!);
          return [200, { compatibility: body.compatibility }];
        }
        return config.has(subject) ? [200, { compatibilityLevel: config.get(subject) }] : subjectNotFound;
      },
    ],
    [
      /^\/subjects\/(.+)\/versions\/latest$/,
      (subject) => {
        const found = schemas.filter((s) => s.subject === subject).at(-1);
        return found ? [200, found] : subjectNotFound;
      },
    ],
    [
      /^\/subjects\/(.+)\/versions$/,
      (subject, _method, body) => {
        const parsed = JSON.parse(body.schema!) as { required?: string[] };
        const earlier = schemas.filter((s) => s.subject === subject);
        // "Compatibility" of this fake: a new required field `added` breaks earlier versions.
        if (earlier.length && (parsed.required ?? []).includes('added')) {
          return [409, { error_code: 409, message: 'Schema being registered is incompatible with an earlier schema' }];
        }
        const same = earlier.find((s) => s.schema === body.schema);
        if (same) return [200, { id: same.id }];
        const entry = { id: schemas.length + 1, subject, version: earlier.length + 1, schema: body.schema!, schemaType: body.schemaType };
        schemas.push(entry);
        return [200, { id: entry.id }];
      },
    ],
    [
      /^\/subjects\/(.+)$/,
      (subject, _method, body) => {
        const found = schemas.find((s) => s.subject === subject && s.schema === body.schema);
        return found ? [200, found] : schemaNotFound;
      },
    ],
    [
      /^\/schemas\/ids\/(\d+)$/,
      (id) => {
        if (failIds.has(Number(id))) return [500, { error_code: 50001, message: 'storage failed' }];
        const found = schemas.find((s) => s.id === Number(id));
        return found ? [200, { schema: found.schema, schemaType: found.schemaType }] : schemaNotFound;
      },
    ],
  ];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const body = text ? (JSON.parse(text) as Record<string, string>) : {};
      const url = decodeURIComponent(req.url ?? '');
      const match = routes.map(([pattern, answer]) => ({ found: pattern.exec(url), answer })).find((r) => r.found);
      const [status, json] = match ? match.answer(match.found![1]!, req.method ?? 'GET', body) : [404, { message: 'no route' }];
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(json));
    });
  });
  return { server, failIds };
}

function framed(schemaId: number, value: unknown): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, Buffer.from(JSON.stringify(value))]);
}

let server: Server;
let failIds: Set<number>;
let registry: ConfluentSchemaRegistry;

beforeAll(async () => {
  ({ server, failIds } = fakeRegistry());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = new ConfluentSchemaRegistry({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, retries: 0 });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const orderSchema = { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] };

describe('the schema registry client', () => {
  it('registers a JSON Schema and answers its id and version; the same schema again answers the same', async () => {
    const first = await registry.registerJsonSchema('ten_1.order.paid', orderSchema);
    expect(first).toEqual({ id: 1, version: 1 });
    expect(await registry.registerJsonSchema('ten_1.order.paid', orderSchema)).toEqual(first);
    expect(await registry.latest('ten_1.order.paid')).toMatchObject({ id: 1, version: 1, subject: 'ten_1.order.paid' });
  });

  it("says an incompatible schema is refused, with the registry's reason", async () => {
    const changed = { ...orderSchema, properties: { ...orderSchema.properties, added: { type: 'string' } }, required: ['amount', 'added'] };
    const refusal = await registry.registerJsonSchema('ten_1.order.paid', changed).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SchemaRefused);
    expect(refusal).toMatchObject({ kind: 'incompatible', reason: 'Schema being registered is incompatible with an earlier schema' });
  });

  it('decodes a framed record by its schema id; an unknown id and a failing registry are retried, not the record’s fault', async () => {
    const { id } = await registry.registerJsonSchema('ten_1.invoice', orderSchema);
    const value = framed(id, { amount: 12 });
    expect(isFramed(value)).toBe(true);
    expect(isFramed(Buffer.from('{"amount":12}'))).toBe(false);
    expect(await registry.decode(value)).toEqual({ amount: 12 });
    // The registry may have lost its data or not caught up yet: retried (a SchemaRegistryUnavailable), never rejected.
    const unknown = await registry.decode(framed(999, { amount: 1 })).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(UnknownSchemaId);
    expect(unknown).toBeInstanceOf(SchemaRegistryUnavailable);
    expect(unknown).toMatchObject({ schemaId: 999, message: 'unknown schema id 999' });
    // Bytes the schema cannot read are the record's fault.
    const garbled = Buffer.concat([framed(id, {}).subarray(0, 5), Buffer.from('{not json')]);
    await expect(registry.decode(garbled)).rejects.toBeInstanceOf(UndecodableRecord);
    failIds.add(77);
    await expect(registry.decode(framed(77, { amount: 1 }))).rejects.toMatchObject({ name: 'SchemaRegistryUnavailable', status: 500 });
  });

  it('reports an unknown subject and an unreachable registry as typed failures', async () => {
    await expect(registry.latest('nobody')).rejects.toBeInstanceOf(SchemaNotFound);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gone = new ConfluentSchemaRegistry({ url: `http://127.0.0.1:${port}`, retries: 0 });
    await expect(gone.registerJsonSchema('s', orderSchema)).rejects.toBeInstanceOf(SchemaRegistryUnavailable);
  });
});
