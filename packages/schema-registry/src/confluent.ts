import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { SchemaRegistryAPIClient } from '@kafkajs/confluent-schema-registry/dist/api/index.js';
import { SchemaNotFound, SchemaRefused, SchemaRegistryUnavailable, UndecodableRecord, UnknownSchemaId } from './failures.js';
import type { Compatibility, RegisteredSchema, SchemaRegistryPort, SubjectVersion } from './port.js';

export interface ConfluentRegistryOptions {
  /** The Confluent-compatible REST base (Apicurio's `/apis/ccompat/v7`). */
  url: string;
  /** Retries of a request the registry failed (5xx, network); default 2. */
  retries?: number;
}

/** The library's REST client, which the library keeps to itself; its resources are the registry's routes. */
type RestClient = SchemaRegistryAPIClient;

interface Answer {
  data(): unknown;
}

const libraryPrefix = /^[^-]* - /;

const ajvRefusal =
  /^(strict mode|schema is invalid|unknown format|can't resolve reference|reference ".*" resolves to more than one schema|keyword .* is not valid)/i;

function isAjvRefusal(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === undefined && typeof message === 'string' && ajvRefusal.test(message.replace(libraryPrefix, ''));
}

/** The registry's answer to a failed call as our typed failure. */
function failureOf(error: unknown): Error {
  if (error instanceof SchemaRefused || error instanceof SchemaNotFound || error instanceof SchemaRegistryUnavailable) return error;
  const status = (error as { status?: unknown }).status;
  const reason = (error as Error).message.replace(libraryPrefix, '');
  if ((error as Error).name === 'ResponseError' && typeof status === 'number') {
    if (status === 409) return new SchemaRefused('incompatible', reason);
    if (status === 422) return new SchemaRefused('invalid', reason);
    if (status === 404) return new SchemaNotFound(reason);
    return new SchemaRegistryUnavailable(`schema registry answered ${status}: ${reason}`, { status, cause: error });
  }
  if ((error as Error).name === 'ConfluentSchemaRegistryCompatibilityError') return new SchemaRefused('incompatible', reason);
  // The library compiles a JSON Schema with Ajv before sending it; Ajv's refusals are untyped errors, told apart
  // here (the one place that knows the library) from network failures, which carry a system error code.
  if (isAjvRefusal(error)) return new SchemaRefused('invalid', reason);
  return new SchemaRegistryUnavailable(`schema registry unreachable: ${reason}`, { cause: error });
}

/** `SchemaRegistryPort` over `@kafkajs/confluent-schema-registry`. */
export class ConfluentSchemaRegistry implements SchemaRegistryPort {
  private readonly registry: SchemaRegistry;

  constructor({ url, retries = 2 }: ConfluentRegistryOptions) {
    this.registry = new SchemaRegistry({ host: url.replace(/\/+$/, ''), retry: { retries } });
  }

  /** The library's own REST client (it has no public accessor; the package version is pinned). */
  private get rest(): RestClient {
    return (this.registry as unknown as { api: RestClient }).api;
  }

  registerJsonSchema(subject: string, schema: object, compatibility: Compatibility = 'BACKWARD'): Promise<RegisteredSchema> {
    return this.register(subject, SchemaType.JSON, schema, compatibility);
  }

  registerAvroSchema(subject: string, schema: object, compatibility: Compatibility = 'BACKWARD'): Promise<RegisteredSchema> {
    return this.register(subject, SchemaType.AVRO, schema, compatibility);
  }

  private async register(
    subject: string,
    type: SchemaType.JSON | SchemaType.AVRO,
    schema: object,
    compatibility: Compatibility,
  ): Promise<RegisteredSchema> {
    const text = JSON.stringify(schema);
    try {
      // The subject's compatibility is set first, so the registry judges this version by it.
      await this.rest.Subject.updateConfig({ subject, body: { compatibility } });
      const { id } = await this.registry.register({ type, schema: text }, { subject, compatibility: COMPATIBILITY[compatibility] });
      // Registration answers only the id; looking the schema up under the subject gives its version (also when
      // the same schema was registered before and the registry answered the existing one).
      const found = (
        (await this.rest.Subject.registered({
          subject,
          body: { schemaType: type === SchemaType.AVRO ? undefined : type, schema: text },
        })) as Answer
      ).data() as { version: number };
      return { id, version: found.version };
    } catch (error) {
      throw failureOf(error);
    }
  }

  async latest(subject: string): Promise<SubjectVersion> {
    try {
      return ((await this.rest.Subject.latestVersion({ subject })) as Answer).data() as SubjectVersion;
    } catch (error) {
      throw failureOf(error);
    }
  }

  async decode(framed: Buffer): Promise<unknown> {
    const schemaId = framed.readUInt32BE(1);
    try {
      return await this.registry.decode(framed);
    } catch (error) {
      // A registry that fails, or does not know the id, is asked again later; a record its schema cannot read is the record's fault.
      const status = (error as { status?: unknown }).status;
      if ((error as Error).name === 'ResponseError') {
        if (status === 404) throw new UnknownSchemaId(schemaId, `unknown schema id ${schemaId}`, { cause: error });
        throw failureOf(error);
      }
      throw new UndecodableRecord(schemaId, `undecodable (schema id ${schemaId}): ${(error as Error).message}`);
    }
  }
}
