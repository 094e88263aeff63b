import { ApiError, endpointWants, eventEnvelope, newId, requireConfigureRole, type DeliveryTask, type EndpointRecord, type TopicNames } from '@hookline/core';
import { planTask } from '@hookline/delivery-policy';
import { jsonOf, taskMessage, type ConfigView, type KafkaClient, type Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import type { ReplayJobDoc, Store } from '@hookline/store';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ownEndpoint } from './access.js';

export const recoverInput = z.object({
  since: z.string().datetime({ offset: true }),
  until: z.string().datetime({ offset: true }).optional(),
});

interface PartitionRange {
  partition: number;
  start: bigint;
  end: bigint;
}

export interface RecoverDeps {
  config: ConfigView;
  producer: Producer;
  store: Store;
  kafka: KafkaClient;
  topics: TopicNames;
  logger: Logger;
}

/**
 * Svix-style recover: every event of a time range that the endpoint subscribes to (by its current settings) is
 * sent to it again, read back from the `events` topic by timestamp (so only within the topic's retention).
 * Delivery ids are the same as the first time, so receivers deduplicate on `webhook-id`. Runs as a job whose
 * progress is the share of the range's records scanned.
 */
export function recoverRoutes({ config, producer, store, kafka, topics, logger }: RecoverDeps): Router {
  const router = Router();

  async function ranges(sinceMs: number, untilMs: number | undefined): Promise<PartitionRange[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topics.events);
      const high = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
      // An offset of -1 means no record at or after the time: the range starts (or ends) at the log end.
      const at = async (ms: number) =>
        new Map((await admin.fetchTopicOffsetsByTimestamp(topics.events, ms)).map((p) => [p.partition, p.offset === '-1' ? high.get(p.partition)! : BigInt(p.offset)]));
      const starts = await at(sinceMs);
      const stops = untilMs === undefined ? high : await at(untilMs);
      return [...high.keys()].map((partition) => ({ partition, start: starts.get(partition)!, end: stops.get(partition)! }));
    } finally {
      await admin.disconnect();
    }
  }

  async function run(job: ReplayJobDoc, endpoint: EndpointRecord, work: PartitionRange[]): Promise<void> {
    const position = new Map(work.map((r) => [r.partition, r.start]));
    const finished = () => work.every((r) => position.get(r.partition)! >= r.end);
    let scanned = 0;
    const progress = (state: ReplayJobDoc['state']) =>
      store.deadLetters.jobs.updateOne({ _id: job._id }, { $set: { state, done: scanned, updatedAt: new Date().toISOString() } });
    if (finished()) return void (await progress('done'));
    const consumer = kafka.consumer({ groupId: `hookline-recover-${job._id}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    await consumer.connect();
    await consumer.subscribe({ topic: topics.events });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = work.find((r) => r.partition === batch.partition)!;
        const tasks: DeliveryTask[] = [];
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset < range.start || offset >= range.end) continue;
          scanned++;
          position.set(batch.partition, offset + 1n);
          const parsed = eventEnvelope.safeParse(jsonOf(message.value));
          if (!parsed.success || parsed.data.tenantId !== endpoint.tenantId || !endpointWants(endpoint, parsed.data)) continue;
          const event = parsed.data;
          tasks.push(planTask({ kind: 'first', event, endpoint, now: Date.now() }));
        }
        // Records past the range's end (written after it) also mean this partition is finished.
        const next = BigInt(batch.lastOffset()) + 1n;
        if (batch.messages.length && next > position.get(batch.partition)!) position.set(batch.partition, next);
        if (tasks.length) await producer.send({ topic: topics.deliveries, acks: -1, messages: tasks.map(taskMessage) });
        await progress('running');
        if (finished()) settle();
      },
    });
    for (const r of work) if (r.start < r.end) consumer.seek({ topic: topics.events, partition: r.partition, offset: r.start.toString() });
    await done;
    await consumer.disconnect();
    await progress('done');
  }

  router.post('/webhooks/:id/recover', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    if (!endpoint.isActive) throw new ApiError('conflict', 'the webhook is disabled; re-enable it first');
    const input = validate(recoverInput, req.body ?? {});
    const work = await ranges(Date.parse(input.since), input.until ? Date.parse(input.until) : undefined);
    const total = work.reduce((n, r) => n + Number(r.end > r.start ? r.end - r.start : 0n), 0);
    const now = new Date().toISOString();
    const job: ReplayJobDoc = { _id: newId('rcv'), tenantId: endpoint.tenantId, endpointId: endpoint.id, state: 'running', total, done: 0, createdAt: now, updatedAt: now };
    await store.deadLetters.jobs.insertOne(job);
    run(job, endpoint, work).catch(async (error: unknown) => {
      logger.error({ err: error, jobId: job._id }, 'recover failed');
      await store.deadLetters.jobs.updateOne({ _id: job._id }, { $set: { state: 'failed', error: (error as Error).message } });
    });
    res.status(202).json({ jobId: job._id, total });
  });

  return router;
}
