/** Outcome counts of a load run; only accepted events (202/200) are owed to subscribers. */
export interface LoadCounts {
  sent: number;
  accepted: number;
  /** Answered with a status other than 200/202 (e.g. 503 while the broker is down), by status. */
  refused: Record<string, number>;
  /** No answer: connection refused or reset (ingest killed), or the client's timeout. */
  failed: number;
  /** The longest a POST waited for its answer (ingest holds posts while the broker is away). */
  slowestMs: number;
}

export interface LoadOptions {
  ingestUrl: string;
  apiKey: string;
  eventType: string;
  count: number;
  perSecond: number;
  /** Client-side deadline per POST. */
  timeoutMs?: number;
}

/**
 * Posts `count` events at a steady rate, each with its sequence number in `data.seq`, without waiting for
 * earlier answers (a slow or restarting ingest does not slow the schedule). Records which events were
 * accepted and with which id; keeps going through failures, as a producer with its own retry policy would.
 */
export class LoadGenerator {
  /** seq → event id, for accepted events only. */
  readonly accepted = new Map<number, string>();
  /** Events answered with a refusal (4xx, 503): ingest says they were not taken, so they must never arrive. */
  readonly refusedSeqs = new Set<number>();
  readonly counts: LoadCounts = { sent: 0, accepted: 0, refused: {}, failed: 0, slowestMs: 0 };
  readonly done: Promise<void>;
  private sentWaiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly options: LoadOptions) {
    this.done = this.run();
  }

  /** Resolves once `count` events have been sent (answered or not). */
  sent(count: number): Promise<void> {
    if (this.counts.sent >= count) return Promise.resolve();
    return new Promise((resolve) => this.sentWaiters.push({ count, resolve }));
  }

  private async run(): Promise<void> {
    const { count, perSecond } = this.options;
    const started = Date.now();
    const posts: Promise<void>[] = [];
    for (let seq = 0; seq < count; seq++) {
      const due = started + (seq * 1000) / perSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      posts.push(this.post(seq));
      this.counts.sent++;
      const reached = this.sentWaiters.filter((w) => this.counts.sent >= w.count);
      this.sentWaiters = this.sentWaiters.filter((w) => !reached.includes(w));
      for (const w of reached) w.resolve();
    }
    await Promise.all(posts);
  }

  private async post(seq: number): Promise<void> {
    const { ingestUrl, apiKey, eventType, timeoutMs = 60_000 } = this.options;
    const started = Date.now();
    try {
      const response = await fetch(`${ingestUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: eventType, data: { seq, sentAt: Date.now() } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json().catch(() => undefined)) as { id?: string } | undefined;
      if ((response.status === 202 || response.status === 200) && body?.id) {
        this.accepted.set(seq, body.id);
        this.counts.accepted++;
      } else {
        this.counts.refused[response.status] = (this.counts.refused[response.status] ?? 0) + 1;
        // A 500 says nothing about whether the event got through; a 4xx or 503 says it did not.
        if (response.status !== 500) this.refusedSeqs.add(seq);
      }
    } catch {
      this.counts.failed++;
    } finally {
      this.counts.slowestMs = Math.max(this.counts.slowestMs, Date.now() - started);
    }
  }
}
