import type { Message } from 'kafkajs';
import type { Producer } from './client.js';

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface BatchingOptions {
  /** How long the first send of a batch waits for others to join it. */
  lingerMs?: number;
  /** A batch is sent at once when it holds this many messages. */
  maxMessages?: number;
  /**
   * A batch is cut at about this many bytes of keys and values. The broker refuses a record batch over its
   * `message.max.bytes` (1 MiB by default), and it would refuse every caller's messages in it, not only the
   * large one; a single send larger than this still goes out, alone.
   */
  maxBytes?: number;
  maxConcurrentRequests?: number;
}

interface Pending {
  topicMessages: TopicMessages[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces sends from many concurrent callers into one produce request (acks=all). Each caller's promise
 * settles when the request carrying its messages is acknowledged, so "resolved" still means "on the broker".
 * One round trip per flush instead of one per message is what lets a single process deliver thousands of
 * webhooks a second.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(
    readonly producer: Producer,
    private readonly options: BatchingOptions = {},
  ) {}

  private get maxBytes(): number {
    return this.options.maxBytes ?? 512 * 1024;
  }

  send(topicMessages: TopicMessages[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const bytes = sizeOf(topicMessages);
      this.queue.push({ topicMessages, bytes, resolve, reject });
      this.queuedMessages += topicMessages.reduce((n, t) => n + t.messages.length, 0);
      this.queuedBytes += bytes;
      if (this.queuedMessages >= (this.options.maxMessages ?? 1000) || this.queuedBytes >= this.maxBytes) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs ?? 2);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    if (this.inFlight >= (this.options.maxConcurrentRequests ?? 4)) {
      // Requests are already on their way; these ride on the next one when one returns.
      return;
    }
    const batch = this.takeBatch();
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      for (const { topic, messages } of pending.topicMessages) {
        const list = byTopic.get(topic);
        if (list) list.push(...messages);
        else byTopic.set(topic, [...messages]);
      }
    }
    this.inFlight++;
    this.producer
      .sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      .then(
        () => batch.forEach((p) => p.resolve()),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .finally(() => {
        this.inFlight--;
        if (this.queue.length) this.flush();
      });
    // What did not fit under the byte cap goes out in the next request straight away.
    if (this.queue.length) this.flush();
  }

  /** The oldest sends up to the byte cap (at least one), in order. */
  private takeBatch(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= this.maxBytes)) {
      bytes += this.queue[count]!.bytes;
      count++;
    }
    const batch = this.queue.splice(0, count);
    this.queuedBytes -= bytes;
    this.queuedMessages -= batch.reduce((n, p) => n + p.topicMessages.reduce((m, t) => m + t.messages.length, 0), 0);
    return batch;
  }

  /** Sends what is queued and waits until nothing is in flight (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight) {
      this.flush();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function sizeOf(topicMessages: TopicMessages[]): number {
  let bytes = 0;
  for (const { messages } of topicMessages) {
    for (const { key, value } of messages) bytes += byteLength(key) + byteLength(value) + 64; // + record overhead
  }
  return bytes;
}

function byteLength(data: Message['key'] | Message['value']): number {
  if (data == null) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
