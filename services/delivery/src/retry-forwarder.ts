import { deliveryTask } from '@hookline/core';
import type { EventLog, LogRecord, OutgoingRecord, RecordPublisher, RunningConsumer } from '@hookline/kafka';

export interface RetryForwarderOptions {
  log: EventLog;
  publisher: RecordPublisher;
  groupId: string;
  /** The tier topics, each holding tasks in (roughly) the order they fall due. */
  topics: string[];
  /** Where due tasks go (`deliveries`). */
  destination: string;
  /** Told how late each task left its tier after it fell due (ms; negative never). */
  onForwarded?: (topic: string, lagMs: number) => void;
}

/**
 * Moves tasks from the retry tier topics to `deliveries` when they fall due. It never sleeps per record: when
 * the head of a partition is not due, the partition is paused from that record until that moment (the port's
 * `pauseFrom`), so a topic of one-hour retries costs nothing while it waits. Tasks of one tier are due in the
 * order they were written (same delay added to the time of writing), so waiting on the head delays nobody.
 * A failed write makes the batch be read again (the port's rule for a throwing handler): at least once.
 */
export function startRetryForwarder(options: RetryForwarderOptions): Promise<RunningConsumer> {
  const { log, publisher, groupId, topics, destination, onForwarded } = options;
  return log.consume({
    groupId,
    topics,
    maxWaitMs: 1_000,
    async onBatch(batch, control) {
      const now = Date.now();
      const due: OutgoingRecord[] = [];
      for (const record of batch.records) {
        if (!control.isActive()) {
          control.leaveFrom(record);
          break;
        }
        const at = dueAt(record, now);
        if (at > now) {
          control.pauseFrom(record, at);
          break;
        }
        due.push({ key: record.key, value: record.value, headers: record.headers });
        onForwarded?.(batch.topic, now - at);
      }
      if (due.length) await publisher.publish([{ topic: destination, records: due }]);
    },
  });
}

/** When a task falls due; an unreadable one is due now (delivery sends it to `rejected` with the reason). */
function dueAt(record: LogRecord, now: number): number {
  if (!record.value) return now;
  try {
    return deliveryTask.shape.dueAt.parse(JSON.parse(record.value.toString()).dueAt);
  } catch {
    return now;
  }
}
