import type { Message } from 'kafkajs';
import type { Producer } from './client.js';

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

interface Pending {
  topicMessages: TopicMessages[];
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
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(
    readonly producer: Producer,
    private readonly options: { lingerMs?: number; maxMessages?: number; maxConcurrentRequests?: number } = {},
  ) {}

  send(topicMessages: TopicMessages[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ topicMessages, resolve, reject });
      this.queuedMessages += topicMessages.reduce((n, t) => n + t.messages.length, 0);
      if (this.queuedMessages >= (this.options.maxMessages ?? 1000)) this.flush();
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
    const batch = this.queue;
    this.queue = [];
    this.queuedMessages = 0;
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
  }

  /** Sends what is queued and waits until nothing is in flight (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight) {
      this.flush();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
