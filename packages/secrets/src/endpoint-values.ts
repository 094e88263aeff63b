import type { EndpointRecord, SealedValue, StoredSecretValue } from '@hookline/core';
import type { Keyring } from './keyring.js';

/** What the admin API shows for every custom header value: values are write-only. */
export const maskedHeaderValue = '********';

type EndpointIdentity = Pick<EndpointRecord, 'id' | 'tenantId'>;

/**
 * What each sealed value is bound to (authenticated, not encrypted): its tenant, endpoint and field. Header names
 * are compared without case, as HTTP does, so renaming `X-Key` to `x-key` keeps its sealed value valid.
 */
const secretContext = (e: EndpointIdentity) => `hookline/endpoint/${e.tenantId}/${e.id}/secret`;
const headerContext = (e: EndpointIdentity, name: string) => `hookline/endpoint/${e.tenantId}/${e.id}/header/${name.toLowerCase()}`;

export function isSealed(value: StoredSecretValue): value is SealedValue {
  return typeof value !== 'string';
}

/** Header names with every value replaced by the mask: what any reader of the admin API gets. */
export function maskedHeaders(headers: Record<string, StoredSecretValue>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, maskedHeaderValue]));
}

/** Config-api's part: seal new values and any plain ones carried over. It never opens a sealed value. */
export type SecretSealer = Pick<EndpointSecrets, 'sealSecret' | 'sealHeaders' | 'sealPlain'>;
/** Delivery's part: the values to sign and send with. */
export type SecretOpener = Pick<EndpointSecrets, 'liveSecrets' | 'openHeaders'>;

/** Ids of the keys `endpoint`'s sealed values need that `keyring` lacks. */
function missingKeyIds(endpoint: EndpointRecord, keyring: Pick<Keyring, 'has'>): string[] {
  const values = [...endpoint.secrets.map((s) => s.secret), ...Object.values(endpoint.headers ?? {})];
  return [...new Set(values.filter(isSealed).map((v) => v.kid))].filter((kid) => !keyring.has(kid));
}

/** Endpoints whose values `keyring` cannot open, with the keys they need (checked at start, to say so early). */
export function endpointsMissingKeys(endpoints: Iterable<EndpointRecord>, keyring: Pick<Keyring, 'has'>) {
  return [...endpoints].map((e) => ({ endpointId: e.id, missing: missingKeyIds(e, keyring) })).filter((e) => e.missing.length > 0);
}

/**
 * Endpoint signing secrets and custom header values, sealed in the endpoint record with the keyring. A plain
 * string is the record shape written before sealing: it is read as it is and sealed by the next write.
 */
export class EndpointSecrets {
  /**
   * Values opened before, by the sealed object of the config record they are in, with the context they were
   * opened for: every attempt opens its endpoint's secret, and AES-GCM per attempt was ~5 % of delivery's CPU.
   * An entry lives as long as the record that holds it (a changed endpoint is a new record, with new objects).
   */
  private readonly opened = new WeakMap<SealedValue, { context: string; plaintext: string }>();

  constructor(private readonly keyring: Keyring) {}

  sealSecret(endpoint: EndpointIdentity, secret: StoredSecretValue): SealedValue {
    return isSealed(secret) ? secret : this.keyring.seal(secret, secretContext(endpoint));
  }

  sealHeaders(endpoint: EndpointIdentity, headers: Record<string, StoredSecretValue>): Record<string, SealedValue> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [
        name,
        isSealed(value) ? value : this.keyring.seal(value, headerContext(endpoint, name)),
      ]),
    );
  }

  /** The record with every plain secret and header value sealed (sealed ones untouched). */
  sealPlain(endpoint: EndpointRecord): EndpointRecord {
    return {
      ...endpoint,
      secrets: endpoint.secrets.map((s) => ({ ...s, secret: this.sealSecret(endpoint, s.secret) })),
      ...(endpoint.headers ? { headers: this.sealHeaders(endpoint, endpoint.headers) } : {}),
    };
  }

  /** The secrets that sign at `nowMs` (newest first), opened. Throws `SealedValueUnreadable`. */
  liveSecrets(endpoint: EndpointRecord, nowMs: number): string[] {
    return endpoint.secrets
      .filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > nowMs)
      .map((s) => (isSealed(s.secret) ? this.open(s.secret, secretContext(endpoint)) : s.secret));
  }

  /** The custom headers to send, opened. Throws `SealedValueUnreadable`. */
  openHeaders(endpoint: EndpointRecord): Record<string, string> {
    return Object.fromEntries(
      Object.entries(endpoint.headers ?? {}).map(([name, value]) => [
        name,
        isSealed(value) ? this.open(value, headerContext(endpoint, name)) : value,
      ]),
    );
  }

  /** `keyring.open`, once per sealed value and context. */
  private open(value: SealedValue, context: string): string {
    const known = this.opened.get(value);
    if (known?.context === context) return known.plaintext;
    const plaintext = this.keyring.open(value, context);
    this.opened.set(value, { context, plaintext });
    return plaintext;
  }

  /**
   * The record with every value sealed by the sealing key (plain ones sealed, ones under other keys opened and
   * sealed again), or undefined when it already is. Used by the re-seal command only.
   */
  reseal(endpoint: EndpointRecord): EndpointRecord | undefined {
    const current = (v: StoredSecretValue) => isSealed(v) && v.kid === this.keyring.sealingKeyId;
    if (endpoint.secrets.every((s) => current(s.secret)) && Object.values(endpoint.headers ?? {}).every(current)) return undefined;
    const reseal = (v: StoredSecretValue, context: string) =>
      current(v) ? v : this.keyring.seal(isSealed(v) ? this.keyring.open(v, context) : v, context);
    return {
      ...endpoint,
      secrets: endpoint.secrets.map((s) => ({ ...s, secret: reseal(s.secret, secretContext(endpoint)) })),
      ...(endpoint.headers
        ? { headers: Object.fromEntries(Object.entries(endpoint.headers).map(([n, v]) => [n, reseal(v, headerContext(endpoint, n))])) }
        : {}),
    };
  }
}
