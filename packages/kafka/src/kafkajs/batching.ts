import type { OutgoingRecord, TopicRecords } from '../port.js';

/** Per-record overhead in a record batch beyond key, value and headers (lengths, offsets, timestamp). */
const recordOverheadBytes = 64;

export interface BatchingLimits {
  /** How long the first call of a request waits for others to join it. */
  lingerMs: number;
  /** A request is sent at once when it holds this many records, and never holds more (unless one call part does). */
  maxRecords: number;
  /**
   * A request is cut at about this many bytes. The broker refuses a record batch over its `message.max.bytes`
   * (1 MiB by default), and it would refuse every caller's records in it, not only the large one's; a single
   * record larger than this still goes out, alone.
   */
  maxBytes: number;
  maxConcurrentRequests: number;
}

/** Sends one produce request (acks=all); resolves once the broker has every record of it. */
export type SendRequest = (request: TopicRecords[]) => Promise<void>;

/** A run of consecutive records of one call that fits one request. */
interface CallPart {
  batches: TopicRecords[];
  records: number;
  bytes: number;
}

interface PendingCall {
  parts: CallPart[];
  /** The part that is queued or in flight; the next one is queued only once this one is acknowledged. */
  next: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function recordBytes(record: OutgoingRecord): number {
  let bytes = recordOverheadBytes + byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

function byteLength(data: string | Buffer | null): number {
  if (data === null) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** Cuts one call's records, in order, into runs of at most `maxBytes` and `maxRecords` (a larger record alone). */
export function splitCall(batches: TopicRecords[], maxBytes: number, maxRecords: number): CallPart[] {
  const parts: CallPart[] = [];
  let current: CallPart = { batches: [], records: 0, bytes: 0 };
  for (const { topic, records } of batches) {
    for (const record of records) {
      const size = recordBytes(record);
      if (current.records > 0 && (current.bytes + size > maxBytes || current.records >= maxRecords)) {
        parts.push(current);
        current = { batches: [], records: 0, bytes: 0 };
      }
      const last = current.batches[current.batches.length - 1];
      if (last?.topic === topic) last.records.push(record);
      else current.batches.push({ topic, records: [record] });
      current.records++;
      current.bytes += size;
    }
  }
  if (current.records > 0) parts.push(current);
  return parts;
}

/**
 * Coalesces the publish calls of many concurrent callers into few produce requests, under a record and a byte
 * cap. Each caller's promise settles when every request carrying its records is acknowledged, so "resolved"
 * still means "on the broker". A call too large for one request is sent as consecutive parts, one at a time
 * (the next only after the previous is acknowledged), so its records keep their order per key even when a
 * request is retried. One round trip per request instead of one per record is what lets a single process
 * deliver thousands of webhooks a second.
 */
export class RequestBatcher {
  private ready: PendingCall[] = [];
  private readyRecords = 0;
  private readyBytes = 0;
  private inFlight = 0;
  private unsettled = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Linger 0: calls made in the same turn of the event loop still share a request (a 0 ms timer waits ~1 ms). */
  private immediate: NodeJS.Immediate | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: SendRequest,
    private readonly limits: BatchingLimits,
  ) {}

  publish(batches: TopicRecords[]): Promise<void> {
    const parts = splitCall(batches, this.limits.maxBytes, this.limits.maxRecords);
    if (parts.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.unsettled++;
      this.enqueue({ parts, next: 0, resolve, reject });
      if (this.readyRecords >= this.limits.maxRecords || this.readyBytes >= this.limits.maxBytes) this.flush();
      else if (this.limits.lingerMs <= 0) this.immediate ??= setImmediate(() => this.flush());
      else this.timer ??= setTimeout(() => this.flush(), this.limits.lingerMs);
    });
  }

  /** Sends what is queued now and resolves when every call has settled (graceful shutdown). */
  idle(): Promise<void> {
    this.flush();
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(call: PendingCall): void {
    const part = call.parts[call.next]!;
    this.ready.push(call);
    this.readyRecords += part.records;
    this.readyBytes += part.bytes;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearImmediate(this.immediate);
    this.immediate = undefined;
    // What does not fit in the requests allowed in flight rides on the next one when one returns.
    while (this.ready.length > 0 && this.inFlight < this.limits.maxConcurrentRequests) this.sendRequest();
  }

  private sendRequest(): void {
    const calls = this.takeRequest();
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const call of calls) {
      for (const { topic, records } of call.parts[call.next]!.batches) {
        const list = byTopic.get(topic);
        if (list) list.push(...records);
        else byTopic.set(topic, [...records]);
      }
    }
    this.inFlight++;
    this.send([...byTopic].map(([topic, records]) => ({ topic, records })))
      .then(
        () => {
          for (const call of calls) {
            call.next++;
            if (call.next < call.parts.length) this.enqueue(call);
            else this.settle(call.resolve);
          }
        },
        (error: unknown) => {
          for (const call of calls) this.settle(() => call.reject(error));
        },
      )
      .finally(() => {
        this.inFlight--;
        this.flush();
      });
  }

  /** The oldest queued parts up to the caps (at least one), in order. */
  private takeRequest(): PendingCall[] {
    let bytes = 0;
    let records = 0;
    let count = 0;
    while (count < this.ready.length) {
      const part = this.ready[count]!.parts[this.ready[count]!.next]!;
      if (count > 0 && (bytes + part.bytes > this.limits.maxBytes || records + part.records > this.limits.maxRecords)) break;
      bytes += part.bytes;
      records += part.records;
      count++;
    }
    this.readyBytes -= bytes;
    this.readyRecords -= records;
    return this.ready.splice(0, count);
  }

  private settle(settle: () => void): void {
    settle();
    this.unsettled--;
    if (this.unsettled > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
