import type { AlertRule } from '@hookline/core';
import type { Collection, Db } from 'mongodb';
import { SecondaryIndexes } from './secondary-indexes.js';

/** One alert: fired for an endpoint and a rule, resolved on recovery. */
export interface AlertDoc {
  _id: string; // alert id
  tenantId: string;
  endpointId: string;
  endpointName: string;
  rule: AlertRule;
  state: 'firing' | 'resolved';
  /** The measured value when it fired, and the threshold it crossed. */
  value: number;
  threshold: number;
  /** Why it fired, or (once resolved) why it resolved. */
  message: string;
  firedAt: string;
  resolvedAt?: string;
}

export interface FiringAlert {
  alertId: string;
  firedAt: string;
  value: number;
  threshold: number;
}

/**
 * What the projector keeps per endpoint to evaluate alerts (`_id` = endpoint id, the only key FerretDB answers
 * without a scan): the failed-deliveries window and which rules are firing (at most one alert per rule).
 */
export interface AlertWindowDoc {
  _id: string;
  tenantId: string;
  /** Start of the failed-deliveries window: restarted after 24 h (when not firing) and at each resolve. */
  windowStart: string;
  windowFailed: number;
  firing: Partial<Record<AlertRule, FiringAlert>>;
}

/** Alerts and their evaluation state in MongoDB. */
export class Alerts {
  readonly alerts: Collection<AlertDoc>;
  readonly windows: Collection<AlertWindowDoc>;

  private readonly indexes: SecondaryIndexes;

  constructor(db: Db) {
    this.indexes = new SecondaryIndexes(db);
    this.alerts = db.collection<AlertDoc>('alerts');
    this.windows = db.collection<AlertWindowDoc>('alert_windows');
  }

  async ensureIndexes(): Promise<void> {
    await this.indexes.ensure(this.alerts, { tenantId: 1, firedAt: -1 });
  }

  window(endpointId: string): Promise<AlertWindowDoc | null> {
    return this.windows.findOne({ _id: endpointId });
  }

  async saveWindow(doc: AlertWindowDoc): Promise<void> {
    await this.windows.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  /** Idempotent by alert id, so an evaluation repeated after a crash does not add a second copy. */
  async recordFired(doc: AlertDoc): Promise<void> {
    await this.alerts.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  async recordResolved(alertId: string, resolvedAt: string, message: string): Promise<void> {
    await this.alerts.updateOne({ _id: alertId }, { $set: { state: 'resolved', resolvedAt, message } });
  }

  /** The tenant's alerts, newest first. */
  list(tenantId: string, state: AlertDoc['state'] | undefined, limit: number): Promise<AlertDoc[]> {
    return this.alerts
      .find({ tenantId, ...(state ? { state } : {}) })
      .sort({ firedAt: -1 })
      .limit(limit)
      .toArray();
  }
}
