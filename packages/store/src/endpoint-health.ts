import type { CircuitStateName, CircuitTransitionRecord, EndpointStatusRecord } from '@hookline/core';
import type { Collection, Db } from 'mongodb';
import { insertOnce } from './insert-once.js';
import { type OwnedDoc, partitionSuffix, writeAhead } from './owned-write.js';
import { SecondaryIndexes } from './secondary-indexes.js';

/** Transitions kept per endpoint (older ones are deleted at the next fold; all expire with the attempt log). */
export const circuitHistoryLimit = 50;
/** Blocked lanes whose keys an answer lists (the count and the oldest cover the rest). */
const listedLanes = 5;

/** An endpoint's delivery-side state as of the latest status record folded (one document per `attempts` partition). */
export interface EndpointHealthDoc extends OwnedDoc {
  endpointId: string;
  circuit?: { state: CircuitStateName; since: string; reason: string; until?: string };
  /** Strictly ordered lanes blocked now: the ordering key's value (null: the whole endpoint) and since when. */
  lanes: { key: string | null; since: string }[];
  updatedAt: string;
}

/** One circuit transition, inserted once (`_id` = endpoint, partition and offset of its record). */
export type CircuitTransitionDoc = Omit<CircuitTransitionRecord, 'kind' | 'v'> & { _id: string };

/** What the admin API shows of an endpoint's circuit and ordering. */
export interface EndpointHealthView {
  circuit: {
    state: CircuitStateName;
    since: string | null;
    until?: string;
    reason?: string;
    history: Omit<CircuitTransitionDoc, '_id' | 'endpointId'>[];
  };
  ordering: { blocked: boolean; blockedSince: string | null; blockedLanes: number; lanes: { key: string | null; since: string }[] };
}

/** A status record with its offset on its `attempts` partition. */
export interface PositionedStatus {
  value: EndpointStatusRecord;
  offset: number;
}

/**
 * Circuit state and history, and blocked ordered lanes, per endpoint: folded by the projector from the status
 * records delivery writes to `attempts`. The state documents have one writer (the owner of the partition, see
 * `owned-write.ts`); transitions are inserted once by id and expire with the attempt log.
 */
export class EndpointHealth {
  readonly states: Collection<EndpointHealthDoc>;
  readonly transitions: Collection<CircuitTransitionDoc>;

  private readonly indexes: SecondaryIndexes;

  constructor(db: Db) {
    this.indexes = new SecondaryIndexes(db);
    this.states = db.collection<EndpointHealthDoc>('endpoint_health');
    this.transitions = db.collection<CircuitTransitionDoc>('circuit_transitions');
  }

  async ensureIndexes(): Promise<void> {
    await this.indexes.ensure(this.transitions, { endpointId: 1, at: -1 });
  }

  /** Folds one partition's status records (in offset order); a record folded before (by `through`) is skipped. */
  async fold(records: PositionedStatus[], partition: number): Promise<void> {
    if (records.length === 0) return;
    const byEndpoint = new Map<string, PositionedStatus[]>();
    for (const r of records) byEndpoint.set(r.value.endpointId, [...(byEndpoint.get(r.value.endpointId) ?? []), r]);
    const id = (endpointId: string) => endpointId + partitionSuffix(partition);
    const stored = new Map(
      (await this.states.find({ _id: { $in: [...byEndpoint.keys()].map(id) } }).toArray()).map((d) => [d.endpointId, d]),
    );
    const docs: EndpointHealthDoc[] = [];
    const transitions: CircuitTransitionDoc[] = [];
    for (const [endpointId, list] of byEndpoint) {
      const base = stored.get(endpointId) ?? { _id: id(endpointId), endpointId, partition, through: -1, lanes: [], updatedAt: '' };
      const fresh = list.filter((r) => r.offset > base.through);
      if (fresh.length === 0) continue;
      const doc: EndpointHealthDoc = { ...base, lanes: [...base.lanes] };
      for (const { value, offset } of fresh) {
        if (value.kind === 'circuit-transition') {
          const { kind: _kind, v: _v, ...transition } = value;
          transitions.push({ _id: `${id(endpointId)}|${offset}`, ...transition });
          doc.circuit = { state: value.to, since: value.at, reason: value.reason, ...(value.until ? { until: value.until } : {}) };
        } else if (value.kind === 'lane-blocked') {
          if (!doc.lanes.some((l) => l.key === value.key)) doc.lanes.push({ key: value.key, since: value.since });
        } else doc.lanes = doc.lanes.filter((l) => l.key !== value.key);
      }
      doc.through = fresh[fresh.length - 1]!.offset;
      doc.updatedAt = new Date().toISOString();
      docs.push(doc);
    }
    // History first: a crash before the state is written folds the batch again, and the inserts are idempotent.
    await this.insertTransitions(transitions);
    await this.trimHistory(new Set(transitions.map((t) => t.endpointId)));
    await writeAhead(this.states, docs);
  }

  /** The endpoint's circuit (closed with no history when it never changed) and its blocked lanes. */
  async endpoint(endpointId: string): Promise<EndpointHealthView> {
    const [docs, history] = await Promise.all([
      this.states.find({ _id: { $gte: `${endpointId}|`, $lte: `${endpointId}|\uffff` } }).toArray(),
      this.transitions.find({ endpointId }).sort({ at: -1 }).limit(circuitHistoryLimit).toArray(),
    ]);
    // One partition holds an endpoint; after a change of partition count the latest written document is the truth.
    const doc = docs.filter((d) => d.endpointId === endpointId).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
    const lanes = [...(doc?.lanes ?? [])].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
    const circuit = doc?.circuit;
    return {
      circuit: {
        state: circuit?.state ?? 'closed',
        since: circuit?.since ?? null,
        ...(circuit?.state === 'open' && circuit.until ? { until: circuit.until } : {}),
        ...(circuit ? { reason: circuit.reason } : {}),
        history: history.map(({ _id, endpointId: _endpoint, ...t }) => t),
      },
      ordering: {
        blocked: lanes.length > 0,
        blockedSince: lanes[0]?.since ?? null,
        blockedLanes: lanes.length,
        lanes: lanes.slice(0, listedLanes),
      },
    };
  }

  private async insertTransitions(docs: CircuitTransitionDoc[]): Promise<void> {
    if (docs.length === 0) return;
    // One seen before (a batch folded again) is left as stored: the copy stored is the same record.
    await insertOnce(this.transitions, docs);
  }

  private async trimHistory(endpointIds: Set<string>): Promise<void> {
    for (const endpointId of endpointIds) {
      const old = await this.transitions
        .find({ endpointId }, { projection: { _id: 1 } })
        .sort({ at: -1 })
        .skip(circuitHistoryLimit)
        .toArray();
      if (old.length) await this.transitions.deleteMany({ _id: { $in: old.map((d) => d._id) } });
    }
  }
}
