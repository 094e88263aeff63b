/**
 * Tracks tasks of one partition that are in flight out of order, and tells how far the partition may be
 * committed: up to (not including) the earliest task not yet finished. A crash then redelivers at most the
 * in-flight window, never skips an unfinished task.
 */
export class PartitionOffsets {
  private readonly pending = new Set<bigint>();
  private highestAccepted = -1n;

  accept(offset: string | bigint): void {
    const value = BigInt(offset);
    this.pending.add(value);
    if (value > this.highestAccepted) this.highestAccepted = value;
  }

  finish(offset: string | bigint): void {
    this.pending.delete(BigInt(offset));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Forgets `offset` and everything accepted after it: those records will be read (and accepted) again. */
  rewind(offset: string | bigint): void {
    const from = BigInt(offset);
    for (const pending of this.pending) if (pending >= from) this.pending.delete(pending);
    if (this.highestAccepted >= from) this.highestAccepted = from - 1n;
  }

  /** The offset to commit (Kafka's "next offset to read"), or undefined if nothing was accepted yet. */
  commitPoint(): bigint | undefined {
    if (this.highestAccepted < 0n) return undefined;
    let lowest: bigint | undefined;
    for (const offset of this.pending) if (lowest === undefined || offset < lowest) lowest = offset;
    return lowest ?? this.highestAccepted + 1n;
  }
}

/** PartitionOffsets for every topic-partition a consumer works on, with what changed since the last commit. */
export class OffsetBook {
  private readonly partitions = new Map<string, { topic: string; partition: number; offsets: PartitionOffsets; committed?: bigint }>();

  private entry(topic: string, partition: number) {
    const key = `${topic}\u0000${partition}`;
    const existing = this.partitions.get(key);
    if (existing) return existing;
    const entry = { topic, partition, offsets: new PartitionOffsets() };
    this.partitions.set(key, entry);
    return entry;
  }

  accept(topic: string, partition: number, offset: string | bigint): void {
    this.entry(topic, partition).offsets.accept(offset);
  }

  finish(topic: string, partition: number, offset: string | bigint): void {
    this.entry(topic, partition).offsets.finish(offset);
  }

  /** Forgets `offset` and what was accepted after it in this partition (it will be read and accepted again). */
  rewind(topic: string, partition: number, offset: string | bigint): void {
    this.entry(topic, partition).offsets.rewind(offset);
  }

  get inFlight(): number {
    let total = 0;
    for (const { offsets } of this.partitions.values()) total += offsets.inFlight;
    return total;
  }

  /** Commit points that moved since they were last taken; marks them as taken. */
  takeCommits(): { topic: string; partition: number; offset: string }[] {
    const commits = [];
    for (const entry of this.partitions.values()) {
      const point = entry.offsets.commitPoint();
      if (point === undefined || point === entry.committed) continue;
      entry.committed = point;
      commits.push({ topic: entry.topic, partition: entry.partition, offset: point.toString() });
    }
    return commits;
  }

  /** Forgets partitions this consumer no longer owns after a rebalance (their new owner redelivers). */
  retain(assigned: (topic: string, partition: number) => boolean): void {
    for (const [key, entry] of this.partitions) if (!assigned(entry.topic, entry.partition)) this.partitions.delete(key);
  }
}
