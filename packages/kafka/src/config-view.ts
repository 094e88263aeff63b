import { ApiError, type ApiKeyRecord, authenticate, type ConfigRecord, ConfigState, configRecord } from '@hookline/core';
import type { Logger } from 'pino';
import type { KafkaClient, Producer } from './client.js';
import { TopicView } from './view.js';

/** The config topic folded into a ConfigState, kept current, with read-your-writes for this process's writes. */
export class ConfigView {
  readonly state = new ConfigState();
  private readonly view: TopicView;

  constructor(
    kafka: KafkaClient,
    private readonly topic: string,
    logger: Logger,
  ) {
    this.view = new TopicView(
      kafka,
      topic,
      (key, value) => this.state.apply(key, value === null ? null : configRecord.parse(JSON.parse(value.toString()))),
      logger,
    );
  }

  start(): Promise<void> {
    return this.view.start();
  }

  stop(): Promise<void> {
    return this.view.stop();
  }

  /** Whether the consumer that keeps `state` current runs and is caught up with the topic. */
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
  async write(producer: Producer, key: string, value: ConfigRecord | null): Promise<void> {
    const [meta] = await producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key, value: value === null ? null : JSON.stringify(value) }],
    });
    if (!meta || meta.baseOffset === undefined) throw new Error('config write returned no offset');
    await this.view.waitFor(meta.partition, meta.baseOffset);
  }
}
