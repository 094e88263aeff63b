import { ConfigView } from '@hookline/config';
import { ApiError, type ConfigRecord, configKey, type EventTypeRecord, topicNames } from '@hookline/core';
import { createMemoryEventLog, type RecordPublisher } from '@hookline/kafka';
import { createLogger } from '@hookline/service';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventSchemas } from '../src/event-schemas.js';

const topics = topicNames('test.');
const at = '2026-01-01T00:00:00.000Z';

function eventType(tenantId: string, name: string, schema?: Record<string, unknown>): EventTypeRecord {
  return { kind: 'eventType', id: `${tenantId}:${name}`, tenantId, name, ...(schema ? { schema } : {}), createdAt: at, updatedAt: at };
}

const idAsString = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };

describe('EventSchemas: a refusal is decided on a current view, an acceptance needs no broker round trip', () => {
  const log = createMemoryEventLog();
  let configTopic: string;
  let config: ConfigView;
  let publisher: RecordPublisher;
  let schemas: EventSchemas;

  /** Written to `config` without waiting for the view: it lags until a catch-up (the view applies on a timer). */
  async function writeBehindTheView(record: ConfigRecord): Promise<void> {
    await publisher.append(configTopic, { key: configKey(record.kind, record.id), value: JSON.stringify(record) });
  }

  async function refusalOf(tenantId: string, type: string, data: unknown): Promise<string | undefined> {
    try {
      await schemas.check(tenantId, [{ type, data }]);
      return undefined;
    } catch (error) {
      if (error instanceof ApiError) return error.code;
      throw error;
    }
  }

  beforeEach(async () => {
    configTopic = `${topics.config}.${Math.random()}`;
    config = new ConfigView(log, configTopic, createLogger('ingest-test', 'silent'));
    await config.start();
    publisher = await log.publisher();
    schemas = new EventSchemas(config);
    await config.write(publisher, configKey('eventType', 'ten_typed:order.placed'), eventType('ten_typed', 'order.placed', idAsString));
    vi.useFakeTimers();
  });

  afterEach(async () => {
    vi.useRealTimers();
    await config.stop();
  });

  it('accepts any type of a tenant without a catalog without catching up', async () => {
    const catchUp = vi.spyOn(config, 'catchUp');
    expect(await refusalOf('ten_open', 'anything.at.all', { a: 1 })).toBeUndefined();
    expect(await refusalOf('ten_typed', 'order.placed', { id: 'o_1' })).toBeUndefined();
    expect(catchUp).not.toHaveBeenCalled();
  });

  it('catches up before refusing an unknown type: a type created a moment ago is accepted', async () => {
    await writeBehindTheView(eventType('ten_typed', 'order.shipped'));
    const catchUp = vi.spyOn(config, 'catchUp');
    expect(await refusalOf('ten_typed', 'order.shipped', {})).toBeUndefined();
    expect(catchUp).toHaveBeenCalledTimes(1);
    expect(await refusalOf('ten_typed', 'order.lost', {})).toBe('unknown_event_type');
  });

  it('catches up before refusing invalid data: a schema loosened a moment ago is applied', async () => {
    expect(await refusalOf('ten_typed', 'order.placed', { id: 42 })).toBe('validation_failed');
    await writeBehindTheView({
      ...eventType('ten_typed', 'order.placed', { type: 'object' }),
      updatedAt: '2026-01-02T00:00:00.000Z',
      version: 2,
    });
    expect(await refusalOf('ten_typed', 'order.placed', { id: 42 })).toBeUndefined();
  });
});
