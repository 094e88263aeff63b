import type { Collection, Filter } from 'mongodb';
import type { AttemptDoc } from './attempt-docs.js';
import { type StoredAttemptDoc, unpackAttempt } from './attempt-packing.js';

/**
 * Bodies shorter than this stay in every attempt that sent them: a reference and the read that follows it would
 * cost about as much as the copy.
 */
const sharedBodyMinLength = 256;
/** A reference points at an attempt stored with the body, or (after a batch came again) at one more reference. */
const maxHops = 4;

/**
 * An attempt's request as stored. Since issue 13 round 13 the attempts of one batch that sent the same body for
 * one tenant (an event fanned out to many endpoints: the same payload to each) store it once: the first in id
 * order keeps `body`, the others name it in `bodyFrom`. Documents written before have `body` everywhere, and
 * readers take both (`withBodies`).
 */
export interface StoredRequest {
  headers: Record<string, string>;
  body?: string;
  bodyFrom?: string;
  bodyTruncated?: boolean;
}

type RequestOf<T> = T & { request?: StoredRequest };

/** The documents to insert, the bodies that repeat within the batch stored once (documents in id order). */
export function shareBodies<T extends AttemptDoc>(docs: T[]): RequestOf<Omit<T, 'request'>>[] {
  const keeper = new Map<string, string>();
  return docs.map((doc) => {
    const request = doc.request;
    if (!request || request.body.length < sharedBodyMinLength) return doc;
    const key = `${doc.tenantId}\u0000${request.body}`;
    const first = keeper.get(key);
    if (first === undefined) {
      keeper.set(key, doc._id);
      return doc;
    }
    const { body: _shared, ...rest } = request;
    return { ...doc, request: { ...rest, bodyFrom: first } };
  });
}

/**
 * The attempts as found in the collection (either stored shape, `unpackAttempt`), with every request's body in
 * place: references are followed to the attempt that keeps the body (of the same tenant). A body whose keeper has
 * expired already (retention deletes a batch's attempts over one or two sweeps) comes back empty and marked cut.
 */
export async function withBodies(collection: Collection<StoredAttemptDoc>, docs: StoredAttemptDoc[]): Promise<AttemptDoc[]> {
  const stored = docs.map(unpackAttempt) as RequestOf<AttemptDoc>[];
  const bodies = new Map<string, { tenantId: string; body: string }>();
  let wanted = new Set(stored.flatMap((d) => (d.request?.bodyFrom ? [d.request.bodyFrom] : [])));
  /** Where a reference leads on: the id a followed reference named in turn. */
  const next = new Map<string, string>();
  for (let hop = 0; wanted.size > 0 && hop < maxHops; hop++) {
    const found = (
      await collection
        .find({ _id: { $in: [...wanted] } } as Filter<StoredAttemptDoc>, { projection: { _id: 1, tenantId: 1, request: 1, detail: 1 } })
        .toArray()
    ).map(unpackAttempt) as RequestOf<AttemptDoc>[];
    const further = new Set<string>();
    for (const keeper of found) {
      if (keeper.request?.body !== undefined) bodies.set(keeper._id, { tenantId: keeper.tenantId, body: keeper.request.body });
      else if (keeper.request?.bodyFrom) {
        next.set(keeper._id, keeper.request.bodyFrom);
        further.add(keeper.request.bodyFrom);
      }
    }
    wanted = further;
  }
  // Only ever the tenant's own: a reference is written within one tenant's attempts, and read back only so.
  const bodyOf = (id: string, tenantId: string): string | undefined => {
    let at: string | undefined = id;
    for (let hop = 0; at !== undefined && hop <= maxHops; hop++) {
      const kept = bodies.get(at);
      if (kept) return kept.tenantId === tenantId ? kept.body : undefined;
      at = next.get(at);
    }
    return undefined;
  };
  return stored.map((doc) => {
    const request = doc.request;
    if (!request?.bodyFrom) return doc;
    const { bodyFrom, ...rest } = request;
    const body = bodyOf(bodyFrom, doc.tenantId);
    return { ...doc, request: body === undefined ? { ...rest, body: '', bodyTruncated: true } : { ...rest, body } } as AttemptDoc;
  });
}
