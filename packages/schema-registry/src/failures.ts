/** The registry did not answer, or answered with a failure of its own (5xx, network): try again later. */
export class SchemaRegistryUnavailable extends Error {
  override readonly name: string = 'SchemaRegistryUnavailable';
  /** The registry's HTTP status, when it answered at all. */
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

/**
 * A framed record names a schema id the registry does not know. Not the record's fault as far as Hookline can
 * tell: a registry that lost its data, or a replica that has not caught up, knows it again later. Callers retry
 * (with back-off) and alert, as for a registry that does not answer, instead of rejecting the record for good.
 */
export class UnknownSchemaId extends SchemaRegistryUnavailable {
  override readonly name = 'UnknownSchemaId';
  constructor(
    readonly schemaId: number,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { status: 404, ...options });
  }
}

/** The registry refused a schema: `incompatible` with the subject's earlier versions, or `invalid` itself. */
export class SchemaRefused extends Error {
  override readonly name = 'SchemaRefused';
  constructor(
    readonly kind: 'incompatible' | 'invalid',
    /** The registry's own words. */
    readonly reason: string,
  ) {
    super(`schema refused by the registry: ${reason}`);
  }
}

/** No such subject, version or schema id. */
export class SchemaNotFound extends Error {
  override readonly name = 'SchemaNotFound';
}

/** A framed record that the registry's schema cannot decode (the record's fault, not the registry's). */
export class UndecodableRecord extends Error {
  override readonly name = 'UndecodableRecord';
  constructor(
    readonly schemaId: number,
    message: string,
  ) {
    super(message);
  }
}
