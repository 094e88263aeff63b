import type { ApiKeyRecord, ConfigRecord, ConfigState } from '@hookline/core';
import type { EventLog, RecordPublisher } from '@hookline/kafka';

export type { PartitionRange, RecordPublisher } from '@hookline/kafka';

/** Reading a topic by time range (recover): the part of the event log the admin API uses. */
export type TimeRangeReader = Pick<EventLog, 'offsetsForTime' | 'readRanges'>;

/** The config topic's view as the admin API uses it (`ConfigView` of `@hookline/config`; a plain state in tests). */
export interface ConfigAccess {
  readonly state: ConfigState;
  /** `Authorization: Bearer <key>` to its key, with read-your-writes; `unauthorized` otherwise. */
  authenticate(authorization: string | undefined): Promise<ApiKeyRecord>;
  /** Reads the state; when `read` finds nothing, catches up with the topic first and reads again. */
  readFresh<T>(read: (state: ConfigState) => T | undefined): Promise<T | undefined>;
  /**
   * Compare-and-set: writes `value` on top of the version it carries (none: a creation) and returns the stored
   * record once this process's view reflects it; `StaleConfigWrite` (409 `conflict`) when another write came first.
   * A tombstone always applies.
   */
  write<T extends ConfigRecord>(publisher: RecordPublisher, key: string, value: T): Promise<T>;
  write(publisher: RecordPublisher, key: string, value: null): Promise<null>;
  /** Applies `change` to the fresh record, again after each lost race (see `ConfigView.update`). */
  update<T extends ConfigRecord>(
    publisher: RecordPublisher,
    key: string,
    read: (state: ConfigState) => T | undefined,
    change: (current: T) => T | undefined,
  ): Promise<T | undefined>;
}
