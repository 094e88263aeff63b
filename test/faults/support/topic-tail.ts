import { randomBytes } from 'node:crypto';
import kafkajs, { type Consumer } from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/**
 * Reads a topic from the beginning and keeps following it, keeping every record's JSON value: the checker's
 * view of what the services wrote (dead letters with their reasons, attempts). Its own throw-away group, never
 * committed, so it disturbs nothing; kafkajs reconnects by itself after a broker outage.
 */
export class TopicTail<T = any> {
  readonly records: T[] = [];
  private consumer: Consumer | undefined;

  private constructor(
    private readonly brokers: string,
    readonly topic: string,
  ) {}

  static async start<T>(brokers: string, topic: string): Promise<TopicTail<T>> {
    const tail = new TopicTail<T>(brokers, topic);
    await tail.run();
    return tail;
  }

  private async run(): Promise<void> {
    const kafka = new Kafka({ clientId: 'hookline-faults-checker', brokers: [this.brokers], logLevel: logLevel.NOTHING, retry: { retries: 100, maxRetryTime: 2_000 } });
    this.consumer = kafka.consumer({ groupId: `faults-checker-${randomBytes(6).toString('hex')}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        try {
          this.records.push(JSON.parse(message.value?.toString() ?? 'null') as T);
        } catch {
          // not JSON: not a record the services write; ignore
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
