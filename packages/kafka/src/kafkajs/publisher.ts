import type { HealthVerdict } from '@hookline/core';
import type { Producer } from 'kafkajs';
import { PublishError } from '../errors.js';
import type { OutgoingRecord, PublisherOptions, RecordPosition, RecordPublisher, TopicRecords } from '../port.js';
import { RequestBatcher } from './batching.js';
import { toMessage } from './records.js';

/** A kafkajs producer behind the batching of publish calls (see `RequestBatcher`). */
export class KafkaPublisher implements RecordPublisher {
  private readonly batcher: RequestBatcher;
  private connected = true; // made after connect() resolved
  private closed = false;

  constructor(
    private readonly producer: Producer,
    options: PublisherOptions = {},
  ) {
    producer.on(producer.events.CONNECT, () => (this.connected = true));
    producer.on(producer.events.DISCONNECT, () => (this.connected = false));
    this.batcher = new RequestBatcher(
      async (request) => {
        await producer.sendBatch({
          acks: -1,
          topicMessages: request.map(({ topic, records }) => ({ topic, messages: records.map(toMessage) })),
        });
      },
      {
        lingerMs: options.lingerMs ?? 2,
        maxRecords: options.maxRecords ?? 1_000,
        maxBytes: options.maxBytes ?? 512 * 1024,
        maxConcurrentRequests: 4,
      },
    );
  }

  publish(batches: TopicRecords[]): Promise<void> {
    if (this.closed) return Promise.reject(new PublishError('publisher closed'));
    return this.batcher.publish(batches);
  }

  /** Sent on its own (not batched) so the broker's answer tells exactly where it landed. */
  async append(topic: string, record: OutgoingRecord): Promise<RecordPosition> {
    if (this.closed) throw new PublishError('publisher closed');
    const [meta] = await this.producer.send({ topic, acks: -1, messages: [toMessage(record)] });
    if (!meta || meta.baseOffset === undefined) throw new PublishError(`write to ${topic} returned no offset`);
    return { topic, partition: meta.partition, offset: BigInt(meta.baseOffset) };
  }

  flush(): Promise<void> {
    return this.batcher.idle();
  }

  /** `down` while the producer is disconnected (kafkajs reconnects by itself; until then nothing can be written). */
  health(): HealthVerdict {
    if (this.closed) return { status: 'down', reason: 'producer closed' };
    return this.connected ? { status: 'ok' } : { status: 'down', reason: 'producer disconnected' };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.producer.disconnect();
  }
}
