/**
 * First-in-first-out lanes for strictly ordered deliveries: work in one lane runs one at a time in the order it
 * was queued; lanes run in parallel. A lane exists only while it has work, so a key per order id costs nothing
 * once its deliveries are done.
 */
export class OrderedLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Lanes whose head failed and waits to be retried in place, with when it first failed (ms). */
  private readonly blocked = new Map<string, number>();

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
    if (!this.blocked.has(lane)) this.blocked.set(lane, since);
  }

  unblock(lane: string): void {
    this.blocked.delete(lane);
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
