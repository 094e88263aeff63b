import { describe, expect, it } from 'vitest';
import { payloadFormatNames, planTask, renderBody, resolvePolicy } from '../src/index.js';
import { endpoint, event } from './fixtures.js';

const task = planTask({ kind: 'first', event, endpoint: endpoint({ id: 'ep_9' }), now: 0 });
const body = (payloadFormat: string) => renderBody(resolvePolicy(endpoint({ payloadFormat })), task);

describe('payload formats', () => {
  it('are registered once each', () => {
    expect(payloadFormatNames).toEqual(['standard', 'thig', 'twig', 'taskapp', 'threadhound']);
  });

  it('render byte-for-byte the bodies earlier versions sent', () => {
    expect(body('standard')).toBe('{"type":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"text":"hi","n":1}}');
    expect(body('thig')).toBe('{"event":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"text":"hi","n":1}}');
    expect(body('twig')).toBe(
      '{"id":"evt_1","type":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"text":"hi","n":1},"organizationId":"t"}',
    );
    expect(body('taskapp')).toBe(
      '{"event":"chatmessage-crud.created","timestamp":"2026-01-01T00:00:00.000Z","webhook_id":"ep_9","data":{"text":"hi","n":1}}',
    );
    expect(body('threadhound')).toBe('{"webhookType":"chatmessage-crud","actionType":"created","payload":{"text":"hi","n":1}}');
    const untyped = planTask({ kind: 'first', event: { ...event, type: 'ping' }, endpoint: endpoint(), now: 0 });
    expect(renderBody(resolvePolicy(endpoint({ payloadFormat: 'threadhound' })), untyped)).toBe(
      '{"webhookType":"ping","actionType":"","payload":{"text":"hi","n":1}}',
    );
  });
});
