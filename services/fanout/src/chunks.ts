import type { OutgoingRecord, RecordPublisher, TopicRecords } from '@hookline/kafka';

function recordBytes({ key, value }: OutgoingRecord): number {
  const size = (data: string | Buffer | null) => (data === null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length);
  return size(key) + size(value);
}

/**
 * Writes records while they are being produced, in chunks of about `maxChunkBytes`: one chunk on its way to the
 * broker while the next is filled, never more. A large fan-out (one 1 MiB event to 10,000 endpoints is ~10 GiB
 * of tasks) therefore holds at most ~2 chunks in memory instead of every task. A chunk is published only once
 * the one before it is acknowledged, so each key's records keep their order across chunks.
 */
export class ChunkedWriter {
  private chunk: TopicRecords[] = [];
  private bytes = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly publisher: RecordPublisher,
    private readonly maxChunkBytes: number,
  ) {}

  /** Adds a record; resolves once it is accepted into a chunk (waiting for the previous chunk when this one is full). */
  async add(topic: string, record: OutgoingRecord): Promise<void> {
    const last = this.chunk[this.chunk.length - 1];
    if (last?.topic === topic) last.records.push(record);
    else this.chunk.push({ topic, records: [record] });
    this.bytes += recordBytes(record);
    if (this.bytes >= this.maxChunkBytes) await this.send();
  }

  /** Sends what is left and resolves once every record added is acknowledged (throws if any write failed). */
  async finish(): Promise<void> {
    if (this.chunk.length > 0) await this.send();
    await this.inFlight;
  }

  /** Waits until nothing is in flight, whatever its result (before a batch that failed is read again). */
  async settle(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  private async send(): Promise<void> {
    const chunk = this.chunk;
    this.chunk = [];
    this.bytes = 0;
    // The previous chunk first: a failed write fails the batch here (it is read again and written again).
    await this.inFlight;
    const sending = this.publisher.publish(chunk);
    // Awaited by the next send or finish; until then a rejection is not unhandled.
    sending.catch(() => undefined);
    this.inFlight = sending;
  }
}
