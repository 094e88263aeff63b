/** A lane that started or stopped being blocked, for the record the projector keeps. */
export type LaneChange =
  | { lane: string; blocked: true; since: number }
  | { lane: string; blocked: false; at: number; since: number; reason: string };

/**
 * First-in-first-out lanes for strictly ordered deliveries: work in one lane runs one at a time in the order it
 * was queued; lanes run in parallel. A lane exists only while it has work, so a key per order id costs nothing
 * once its deliveries are done.
 */
export class OrderedLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Lanes whose head failed and waits to be retried in place, with when it first failed (ms). */
  private readonly blocked = new Map<string, number>();

  /** `onChange` hears each lane that becomes blocked or clears (not every failed retry of a blocked head). */
  constructor(private readonly onChange: (change: LaneChange) => void = () => {}) {}

  async run<T>(lane: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(lane) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(lane, tail);
    void tail.then(() => {
      if (this.tails.get(lane) === tail) this.tails.delete(lane);
    });
    return result;
  }

  markBlocked(lane: string, since: number): void {
    if (this.blocked.has(lane)) return;
    this.blocked.set(lane, since);
    this.onChange({ lane, blocked: true, since });
  }

  unblock(lane: string, reason: string, at: number = Date.now()): void {
    const since = this.blocked.get(lane);
    if (since === undefined) return;
    this.blocked.delete(lane);
    this.onChange({ lane, blocked: false, at, since, reason });
  }

  /** Blocked lanes and the oldest block, for metrics. */
  blockedSummary(now: number): { lanes: number; oldestSeconds: number } {
    let oldest = now;
    for (const since of this.blocked.values()) oldest = Math.min(oldest, since);
    return { lanes: this.blocked.size, oldestSeconds: (now - oldest) / 1000 };
  }

  get size(): number {
    return this.tails.size;
  }
}
