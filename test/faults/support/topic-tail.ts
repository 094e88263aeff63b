import { createKafkaEventLog, type EventLog, type TopicView } from '@hookline/kafka';
import { pino } from 'pino';

/**
 * Reads a topic from the beginning and keeps following it, keeping every record's JSON value: the checker's
 * view of what the services wrote (dead letters with their reasons, attempts). A view of the event log: it
 * commits nothing, so it disturbs nothing, and its client reconnects by itself after a broker outage.
 */
export class TopicTail<T = unknown> {
  private constructor(
    /** Every JSON record read so far, in the order read (per partition, offset order). */
    readonly records: T[],
    private readonly log: EventLog,
    private readonly view: TopicView,
  ) {}

  static async start<T>(brokers: string, topic: string): Promise<TopicTail<T>> {
    const log = createKafkaEventLog({
      brokers: brokers.split(','),
      clientId: 'hookline-faults-checker',
      logger: pino({ level: 'silent' }),
    });
    const records: T[] = [];
    const view = log.view(topic, (record) => {
      try {
        records.push(JSON.parse(record.value?.toString() ?? 'null') as T);
      } catch {
        // not JSON: not a record the services write; ignore
      }
    });
    await view.start();
    return new TopicTail<T>(records, log, view);
  }

  async stop(): Promise<void> {
    await this.view.stop();
    await this.log.close();
  }
}
