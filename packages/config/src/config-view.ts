import { ApiError, type ApiKeyRecord, authenticate, type ConfigRecord, ConfigState, configRecord } from '@hookline/core';
import type { EventLog, LogRecord, RecordPublisher, TopicView } from '@hookline/kafka';
import type { Logger } from 'pino';

/** The config topic folded into a ConfigState, kept current, with read-your-writes for this process's writes. */
export class ConfigView {
  readonly state = new ConfigState();
  private readonly view: TopicView;

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

  /** Appends a change (or a tombstone) and returns once this process's view reflects it. */
  async write(publisher: RecordPublisher, key: string, value: ConfigRecord | null): Promise<void> {
    const position = await publisher.append(this.topic, { key, value: value === null ? null : JSON.stringify(value) });
    await this.view.waitFor(position);
  }

  /** A record that does not parse is skipped (and logged), as before: one bad record must not stop the fold. */
  private apply(record: LogRecord): void {
    const key = record.key ?? '';
    try {
      this.state.apply(key, record.value === null ? null : configRecord.parse(JSON.parse(record.value.toString())));
    } catch (error) {
      this.logger.error({ err: error, topic: this.topic, key }, 'skipping unreadable record');
    }
  }
}
