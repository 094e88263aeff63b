import { type ConfigState, type EventEnvelope, eventRecord, markPlanned, type TopicNames } from '@hookline/core';
import { planAtEntry, taskRecord } from '@hookline/delivery-policy';
import type { OutgoingRecord, TopicRecords } from '@hookline/kafka';
import { type OpenSpan, withTraceparent } from '@hookline/tracing';
import { Counter, type Registry } from 'prom-client';

/** One event to publish and the trace context its records carry (its `ingest` span's; none untraced). */
export interface TracedEvent {
  event: EventEnvelope;
  traceparent: string | undefined;
  /** The event's `ingest` span, told how many endpoints ingest planned it for. */
  span?: Pick<OpenSpan, 'setAttributes'>;
}

export interface EntryPlannerOptions {
  /** Ingest's config view: planning reads the endpoints it has, without catching up (fanout makes up the difference). */
  config: { readonly state: ConfigState };
  topics: TopicNames;
  /** Events to more endpoints than this are left to fanout (0 leaves every event to fanout). */
  maxTasks: number;
  /** Most bytes of tasks one call plans (string length of their JSON); the events past it are left to fanout. */
  maxBytes: number;
  metrics: Registry;
}

/**
 * Ingest plans the first-attempt tasks of the events it accepts and writes them in the same publish as the events
 * (docs/decisions.md, "Ingest plans the deliveries of the events it accepts"): an event then reaches delivery in
 * one broker hop instead of two. Each event is marked with the endpoints it was planned for. Ingest's view may be
 * a moment behind the `config` topic, so fanout, after its catch-up, still writes the tasks of endpoints created
 * just before the event that ingest's view did not have yet. Fanout plans in full what ingest leaves to it: large
 * fan-outs and disabled or strictly ordered endpoints (`planAtEntry`), Kafka-native events.
 */
export class EntryPlanner {
  private readonly events: Counter<'planner'>;
  private readonly tasks: Counter;

  constructor(private readonly options: EntryPlannerOptions) {
    this.events = new Counter({
      name: 'hookline_ingest_events_planned_total',
      help: 'Accepted events by who plans their deliveries: ingest (written with the event) or fanout',
      labelNames: ['planner'],
      registers: [options.metrics],
    });
    this.tasks = new Counter({
      name: 'hookline_ingest_tasks_total',
      help: 'First-attempt delivery tasks ingest wrote with the events it planned',
      registers: [options.metrics],
    });
  }

  /**
   * The records of `traced`: the tasks of the events planned here, then every event (marked when planned). Each
   * task carries its event, so the tasks of one call are bounded by `maxBytes`: the events past it go to fanout,
   * which writes large fan-outs in chunks (a 1 MiB event to 64 endpoints would otherwise hold 64 MiB here).
   */
  recordsOf(traced: TracedEvent[]): TopicRecords[] {
    const { config, topics, maxTasks, maxBytes } = this.options;
    const tasks: OutgoingRecord[] = [];
    const events: OutgoingRecord[] = [];
    const now = Date.now();
    let bytesLeft = maxBytes;
    for (const { event, traceparent, span } of traced) {
      const record = eventRecord(event);
      let planned = maxTasks > 0 ? planAtEntry(event, config.state, maxTasks, now) : undefined;
      if (planned && planned.length * record.value.length > bytesLeft) planned = undefined;
      if (planned) {
        for (const task of planned) {
          const taskOut = taskRecord(task);
          bytesLeft -= taskOut.value?.length ?? 0;
          tasks.push(withTraceparent(taskOut, traceparent));
        }
        markPlanned(
          record,
          planned.map((task) => task.endpointId),
        );
        span?.setAttributes({ 'hookline.endpoint.count': planned.length });
        this.tasks.inc(planned.length);
      }
      events.push(withTraceparent(record, traceparent));
      this.events.inc({ planner: planned ? 'ingest' : 'fanout' });
    }
    const eventBatch = { topic: topics.events, records: events };
    // One publish: tasks and events share produce requests, and the caller answers 202 only once all are written.
    return tasks.length > 0 ? [{ topic: topics.deliveries, records: tasks }, eventBatch] : [eventBatch];
  }
}
