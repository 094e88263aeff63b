import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type ApiKeyRecord, authenticate, type ConfigRecord, ConfigState, configRecord, versionOf } from '@hookline/core';
import type { EventLog, LogRecord, RecordPosition, RecordPublisher, TopicView } from '@hookline/kafka';
import type { Logger } from 'pino';

/**
 * A config write lost its compare-and-set: the record it was made from is no longer the current one (another
 * writer, in this process or another, changed it first). The view has caught up; read again and redo the change.
 */
export class StaleConfigWrite extends ApiError {
  override readonly name = 'StaleConfigWrite';
  constructor(readonly key: string) {
    super('conflict', `${key} was changed by someone else meanwhile; read it again and retry`);
  }
}

/** How often `update` re-applies a change onto the fresh record before giving up with `StaleConfigWrite`. */
const updateAttempts = 16;

/** The config topic folded into a ConfigState, kept current, with read-your-writes for this process's writes. */
export class ConfigView {
  readonly state = new ConfigState();
  private readonly view: TopicView;
  /** Offset of the record that made each key's current state (a lost write's repair looks for a later one). */
  private readonly lastApplied = new Map<string, bigint>();
  /** Offsets of records the version check ignored, kept while this process has writes in flight. */
  private readonly ignored = new Set<string>();
  private writesInFlight = 0;

  constructor(
    log: EventLog,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {
    this.view = log.view(topic, (record) => this.apply(record));
  }

  start(): Promise<void> {
    return this.view.start();
  }

  stop(): Promise<void> {
    return this.view.stop();
  }

  /** Whether the reader that keeps `state` current runs and is caught up with the topic. */
  health() {
    return this.view.health();
  }

  /** Waits until every config change committed before this call is in `state`. */
  catchUp(timeoutMs?: number): Promise<void> {
    return this.view.catchUp(timeoutMs);
  }

  /**
   * Reads from the state; when nothing is found (an entity created a moment ago through another service may
   * not have reached this view yet), catches up once and reads again.
   */
  async readFresh<T>(read: (state: ConfigState) => T | undefined): Promise<T | undefined> {
    const found = read(this.state);
    if (found !== undefined) return found;
    await this.catchUp();
    return read(this.state);
  }

  /** `authenticate` with read-your-writes: a key created a moment ago elsewhere is found. */
  async authenticate(authorization: string | undefined): Promise<ApiKeyRecord> {
    try {
      return authenticate(this.state, authorization);
    } catch (error) {
      if (!(error instanceof ApiError) || !authorization) throw error;
      await this.catchUp();
      return authenticate(this.state, authorization);
    }
  }

  /**
   * Compare-and-set: writes `value` as the successor of the record it was made from, whose version it carries
   * (none: a creation, the key must not exist), and returns the stored record (version + 1) once this view
   * reflects it. A tombstone (null) always applies. Throws `StaleConfigWrite` when another write to the key
   * came first.
   */
  async write<T extends ConfigRecord>(publisher: RecordPublisher, key: string, value: T): Promise<T>;
  async write(publisher: RecordPublisher, key: string, value: null): Promise<null>;
  async write<T extends ConfigRecord>(publisher: RecordPublisher, key: string, value: T | null): Promise<T | null> {
    if (value === null) {
      await this.append(publisher, key, null);
      return null;
    }
    const outcome = await this.tryWrite(publisher, key, value);
    if ('stored' in outcome) return outcome.stored;
    await this.repairAfter(publisher, key, outcome.lostAt);
    throw new StaleConfigWrite(key);
  }

  /**
   * Read-modify-write with retries: `change` is applied to the key's current record (as `read` finds it) and
   * written; when another write came first, it is applied again to the fresh record. Returns what was written,
   * or undefined when `read` finds nothing or `change` returns undefined (nothing to do). `change` must be safe
   * to call more than once.
   */
  async update<T extends ConfigRecord>(
    publisher: RecordPublisher,
    key: string,
    read: (state: ConfigState) => T | undefined,
    change: (current: T) => T | undefined,
  ): Promise<T | undefined> {
    let lostAt: bigint | undefined;
    for (let attempt = 1; attempt <= updateAttempts; attempt++) {
      const current = await this.readFresh(read);
      const next = current && change(current);
      if (!next) {
        if (lostAt !== undefined) await this.repairAfter(publisher, key, lostAt);
        return undefined;
      }
      const outcome = await this.tryWrite(publisher, key, next);
      if ('stored' in outcome) return outcome.stored;
      lostAt = outcome.lostAt;
      this.logger.debug({ key, attempt }, 'config write lost to a concurrent one; applying the change again');
      // Writers that lost together retry apart.
      await sleep(Math.random() * 5 * attempt);
    }
    if (lostAt !== undefined) await this.repairAfter(publisher, key, lostAt);
    throw new StaleConfigWrite(key);
  }

  /** Appends `value` as the next version of the one it carries; where it landed when the fold ignored it. */
  private async tryWrite<T extends ConfigRecord>(
    publisher: RecordPublisher,
    key: string,
    value: T,
  ): Promise<{ stored: T } | { lostAt: bigint }> {
    const stored = { ...value, version: (value.version ?? 0) + 1 };
    this.writesInFlight++;
    try {
      const position = await this.append(publisher, key, stored);
      return this.ignored.has(positionKey(position)) ? { lostAt: position.offset } : { stored };
    } finally {
      if (--this.writesInFlight === 0) this.ignored.clear();
    }
  }

  private async append(publisher: RecordPublisher, key: string, value: ConfigRecord | null): Promise<RecordPosition> {
    const position = await publisher.append(this.topic, { key, value: value === null ? null : JSON.stringify(value) });
    await this.view.waitFor(position);
    return position;
  }

  /**
   * A lost write is the newest record of its key until someone writes the key again, and compaction keeps only
   * the newest: a reader starting after compaction would take it. So unless a later record of the key applied,
   * the current state is written again on top (as a new version; a tombstone for a deleted key).
   */
  private async repairAfter(publisher: RecordPublisher, key: string, lostAt: bigint): Promise<void> {
    let lost = lostAt;
    for (let attempt = 0; attempt < updateAttempts; attempt++) {
      if ((this.lastApplied.get(key) ?? -1n) > lost) return;
      const current = this.state.get(key);
      if (!current) {
        await this.append(publisher, key, null);
        return;
      }
      const outcome = await this.tryWrite(publisher, key, current);
      if ('stored' in outcome) return;
      lost = outcome.lostAt;
    }
    this.logger.error({ key }, 'could not repair after a lost config write; the next write of this key will');
  }

  /** A record that does not parse is skipped (and logged), as before: one bad record must not stop the fold. */
  private apply(record: LogRecord): void {
    const key = record.key ?? '';
    try {
      const applied = this.state.apply(key, record.value === null ? null : configRecord.parse(JSON.parse(record.value.toString())));
      if (applied) this.lastApplied.set(key, record.offset);
      else if (this.writesInFlight > 0) this.ignored.add(positionKey(record));
    } catch (error) {
      this.logger.error({ err: error, topic: this.topic, key }, 'skipping unreadable record');
    }
  }
}

const positionKey = (at: { partition: number; offset: bigint }) => `${at.partition}:${at.offset}`;
