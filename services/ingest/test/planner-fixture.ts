import { ConfigState, type TopicNames } from '@hookline/core';
import { Registry } from 'prom-client';
import { EntryPlanner } from '../src/plan.js';

/** A planner that plans nothing (`maxTasks` 0): every event goes to `events` alone, for fanout. */
export function eventsOnlyPlanner(topics: TopicNames): EntryPlanner {
  return new EntryPlanner({ config: { state: new ConfigState() }, topics, maxTasks: 0, maxBytes: 0, metrics: new Registry() });
}
