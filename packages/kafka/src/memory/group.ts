import { GroupNotEmptyError } from '../errors.js';
import type { TopicPartition } from '../port.js';
import type { TopicStore } from './topic-store.js';

/** What a group needs from each of its members to move partitions between them. */
export interface GroupMemberHandle {
  readonly topics: string[];
  /** A rebalance is coming: stop taking batches; the partitions not in `keep` are about to be taken away. */
  prepare(keep: Set<string>): void;
  /** Resolves when the batch in hand (if any) is done. */
  idle(): Promise<void>;
  /** The partitions this member owns from now on. */
  assign(assigned: TopicPartition[]): void;
}

export const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * A consumer group: its committed offsets and its members, who split the partitions of the topics they read.
 * Like a broker's group coordinator, a rebalance waits until every member has finished the batch in hand, so a
 * partition is never worked on by two members at once.
 */
export class MemoryGroup {
  /** Next offset to read per partition key (Kafka's committed offset). */
  readonly committed = new Map<string, bigint>();
  private members: GroupMemberHandle[] = [];
  private owners = new Map<string, GroupMemberHandle>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    readonly groupId: string,
    private readonly store: TopicStore,
  ) {}

  get memberCount(): number {
    return this.members.length;
  }

  join(member: GroupMemberHandle): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  leave(member: GroupMemberHandle): Promise<void> {
    this.members = this.members.filter((m) => m !== member);
    return this.rebalance();
  }

  /** Commits for a partition are taken only from its current owner (a stale member's commit is refused). */
  commit(member: GroupMemberHandle, topic: string, partition: number, offset: bigint): void {
    const key = partitionKey(topic, partition);
    if (this.owners.get(key) === member) this.committed.set(key, offset);
  }

  assertEmpty(): void {
    if (this.members.length > 0) throw new GroupNotEmptyError(`consumer group ${this.groupId} still has ${this.members.length} member(s)`);
  }

  private rebalance(): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      const planned = this.plan();
      for (const member of this.members)
        member.prepare(new Set((planned.get(member) ?? []).map((tp) => partitionKey(tp.topic, tp.partition))));
      await Promise.all(this.members.map((m) => m.idle()));
      const plan = this.plan();
      this.owners = new Map();
      for (const [member, assigned] of plan) for (const tp of assigned) this.owners.set(partitionKey(tp.topic, tp.partition), member);
      for (const member of this.members) member.assign(plan.get(member) ?? []);
    });
    return this.rebalancing;
  }

  /** Round-robin over the topic-partitions in order, each to the next member (in join order) that reads its topic. */
  private plan(): Map<GroupMemberHandle, TopicPartition[]> {
    const plan = new Map<GroupMemberHandle, TopicPartition[]>(this.members.map((m) => [m, []]));
    const topics = [...new Set(this.members.flatMap((m) => m.topics))].sort();
    let next = 0;
    for (const topic of topics) {
      const readers = this.members.filter((m) => m.topics.includes(topic));
      const partitions = this.store.get(topic).partitions.length;
      for (let partition = 0; partition < partitions; partition++) {
        plan.get(readers[next++ % readers.length]!)!.push({ topic, partition });
      }
    }
    return plan;
  }
}
