import { deliveryIdFor, deliveryTask, type EventEnvelope } from '@hookline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTask, taskRecord, testEvent } from '../src/index.js';

const event: EventEnvelope = {
  id: 'evt_1',
  type: 'project.created',
  tenantId: 'ten_1',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { a: 1 },
};
const endpoint = { id: 'ep_1', tenantId: 'ten_1' };

describe('planTask', () => {
  it('plans a first attempt with a delivery id derived from event and endpoint', () => {
    const task = planTask({ kind: 'first', event, endpoint, now: 42 });
    expect(task).toEqual({
      deliveryId: deliveryIdFor('evt_1', 'ep_1'),
      eventId: 'evt_1',
      endpointId: 'ep_1',
      tenantId: 'ten_1',
      attempt: 1,
      dueAt: 42,
      event,
    });
    expect(deliveryTask.parse(task)).toEqual(task);
  });

  it('keeps the JSON of a first attempt byte-for-byte what the fanout wrote before', () => {
    const before = JSON.stringify({
      deliveryId: deliveryIdFor(event.id, endpoint.id),
      eventId: event.id,
      endpointId: endpoint.id,
      tenantId: event.tenantId,
      attempt: 1,
      dueAt: 7,
      event,
    });
    expect(JSON.stringify(planTask({ kind: 'first', event, endpoint, now: 7 }))).toBe(before);
  });

  it('plans the next attempt of a dead-lettered task, never as a test', () => {
    const letter = { ...planTask({ kind: 'test', event, endpoint, now: 1 }), attempt: 3 };
    const again = planTask({ kind: 'again', task: letter, now: 99 });
    expect(again).toMatchObject({ attempt: 4, dueAt: 99, deliveryId: letter.deliveryId });
    expect('test' in again).toBe(false);
  });

  it('marks a send-test and builds its sample event', () => {
    const sample = testEvent({ id: 'evt_t', tenantId: 'ten_1', subscribedPatterns: ['project.*', 'invoice.paid'], now: 0 });
    expect(sample).toEqual({
      id: 'evt_t',
      type: 'invoice.paid',
      tenantId: 'ten_1',
      timestamp: '1970-01-01T00:00:00.000Z',
      data: { test: true, message: 'Test delivery from Hookline' },
    });
    expect(testEvent({ id: 'x', tenantId: 't', subscribedPatterns: ['*'], now: 0 }).type).toBe('webhook.test');
    expect(planTask({ kind: 'test', event: sample, endpoint, now: 5 })).toMatchObject({ test: true, attempt: 1, dueAt: 5 });
  });

  it('retries and defers keep the delivery id; every plan parses as a task', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 2 ** 40 }), (attempt, dueAt) => {
        const first = planTask({ kind: 'first', event, endpoint, now: 0 });
        for (const task of [planTask({ kind: 'retry', task: first, attempt, dueAt }), planTask({ kind: 'defer', task: first, dueAt })]) {
          expect(task.deliveryId).toBe(first.deliveryId);
          expect(task.dueAt).toBe(dueAt);
          deliveryTask.parse(task);
        }
      }),
    );
  });
});

describe('planTask deferrals', () => {
  it('counts how often an attempt was held back, and starts every new attempt at none', () => {
    const first = planTask({ kind: 'first', event, endpoint, now: 0 });
    expect(first.deferrals).toBeUndefined();
    const twice = planTask({ kind: 'defer', task: planTask({ kind: 'defer', task: first, dueAt: 1 }), dueAt: 2 });
    expect(twice.deferrals).toBe(2);
    expect(planTask({ kind: 'retry', task: twice, attempt: 2, dueAt: 3 })).not.toHaveProperty('deferrals');
    expect(planTask({ kind: 'again', task: twice, now: 4 })).not.toHaveProperty('deferrals');
    // A task written before the count existed reads as never deferred.
    const { deferrals: _none, ...previousShape } = twice;
    expect(deliveryTask.parse(JSON.parse(JSON.stringify(previousShape))).deferrals).toBeUndefined();
  });
});

describe('taskRecord', () => {
  it('is the task as JSON keyed by endpoint id', () => {
    const task = planTask({ kind: 'first', event, endpoint, now: 1 });
    expect(taskRecord(task)).toEqual({ key: 'ep_1', value: JSON.stringify(task) });
  });
});
