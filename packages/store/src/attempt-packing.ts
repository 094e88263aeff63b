import type { AttemptDoc } from './attempt-docs.js';
import type { StoredRequest } from './shared-bodies.js';

/**
 * The fields of a stored attempt that a query filters, sorts or projects on (the reads in `store.ts`,
 * `attempt-feed.ts`, `attempt-fold.ts`, the retention sweep), plus the outcome for an operator's ad-hoc queries.
 * They stay fields of the document; everything else goes into `detail`.
 */
const keptFields = [
  '_id',
  'tenantId',
  'endpointId',
  'eventId',
  'deliveryId',
  'attempt',
  'startedAt',
  'outcome',
  'recordedAt',
  'projectedFrom',
] as const;
type KeptField = (typeof keptFields)[number];
const isKept: ReadonlySet<string> = new Set(keptFields);

/** An attempt as one insert sees it: the record, its id, and what the projector adds. */
type AttemptToStore = Omit<AttemptDoc, 'request'> & { projectedFrom?: string; request?: StoredRequest };

/**
 * An attempt stored in the second shape (issue 13, round 18): the kept fields, and the rest of the record (the request
 * with its headers, the response's excerpt and headers, the error, the url, the timing) as one JSON string.
 * FerretDB 1 spends its insert CPU per field of a document (each is converted to its SQLite JSON form and typed),
 * and an attempt had about 30 with its nested headers: the store's insert and folds cost the server 157-200 µs per
 * attempt in the first shape and 128-134 µs in this one at 10 endpoints per event (`bench/attempt-log-probe.ts`;
 * decisions "Attempts stored with their detail packed"). Documents of the first shape (every field its own) stay
 * readable: `unpackAttempt` takes both.
 */
export type PackedAttemptDoc = Pick<AttemptToStore, KeptField> & { detail: string };

/** An attempt as found in the collection: either shape. */
export type StoredAttemptDoc = AttemptDoc | PackedAttemptDoc;

export function packAttempt(doc: AttemptToStore): PackedAttemptDoc {
  const kept: Record<string, unknown> = {};
  const detail: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    if (isKept.has(field)) kept[field] = value;
    else if (field !== 'attemptId') detail[field] = value; // the attempt id is `_id`
  }
  return { ...(kept as Pick<AttemptToStore, KeptField>), detail: JSON.stringify(detail) };
}

/** The attempt a stored document holds, whichever shape it was written in (also a projection of one). */
export function unpackAttempt(doc: StoredAttemptDoc): AttemptDoc {
  if (!('detail' in doc) || typeof doc.detail !== 'string') return doc as AttemptDoc;
  const { detail, ...kept } = doc;
  return { ...(JSON.parse(detail) as Partial<AttemptDoc>), ...kept, attemptId: kept._id } as AttemptDoc;
}
