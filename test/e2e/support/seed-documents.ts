/**
 * Receivers written from the ThreadHound and task-app documents (../shared/seeds/threadhound-webhooks.txt,
 * taskapp-webhooks.txt) as a subscriber reading them would write them: each returns what it finds wrong with a
 * delivery (nothing: the receiver answers 2xx). `req` is what Express with `express.json()` hands the handler.
 */
import crypto from 'node:crypto';
import type { ReceivedRequest } from '@hookline/testkit';

interface ExpressLikeRequest {
  headers: ReceivedRequest['headers'];
  body: Record<string, unknown>;
}

function asExpress(request: ReceivedRequest): ExpressLikeRequest {
  return { headers: request.headers, body: JSON.parse(request.body) as Record<string, unknown> };
}

const iso8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The type-specific fields each of ThreadHound's webhook types lists in its example payload. */
export const threadhoundTypeFields = {
  'chatmessage-crud': ['messageId', 'threadId', 'groupId', 'groupName', 'senderId', 'senderName', 'text', 'messageTimestamp'],
  'chatthread-crud': ['threadId', 'groupId', 'groupName', 'title', 'summary', 'participantCount', 'messageCount'],
} as const;

/**
 * ThreadHound ("Webhook Data Format", "Available Webhook Types"): no signature; the body is
 * `{webhookType, actionType: "created" | "updated", payload: {communityId, timestamp (ISO 8601), ...}}` with the
 * type's fields in `payload`. The problems found, or none.
 */
export function threadhoundProblems(request: ReceivedRequest): string[] {
  if (request.method !== 'POST') return [`method ${request.method}`];
  if (!String(request.headers['content-type']).startsWith('application/json')) return ['not JSON'];
  const { body } = asExpress(request);
  const problems: string[] = [];
  const { webhookType, actionType, payload } = body as { webhookType: unknown; actionType: unknown; payload: Record<string, unknown> };
  if (typeof webhookType !== 'string') problems.push('webhookType is not a string');
  if (actionType !== 'created' && actionType !== 'updated') problems.push(`actionType ${String(actionType)}`);
  if (typeof payload !== 'object' || payload === null) return [...problems, 'no payload object'];
  if (typeof payload.communityId !== 'string' || payload.communityId === '') problems.push('payload.communityId missing');
  if (typeof payload.timestamp !== 'string' || !iso8601.test(payload.timestamp) || Number.isNaN(Date.parse(payload.timestamp)))
    problems.push(`payload.timestamp ${String(payload.timestamp)} is not ISO 8601`);
  const fields = threadhoundTypeFields[webhookType as keyof typeof threadhoundTypeFields] ?? [];
  for (const field of fields) if (!(field in payload)) problems.push(`payload.${field} missing`);
  return problems;
}

/**
 * Task app ("Verify Signature"): the document's `verifyWebhook` as printed, fed as its Express handler does
 * (`JSON.stringify(req.body)`, `req.headers['x-webhook-signature']`). Its "Security" section prints the header
 * as `X-Webhook-Signature: sha256=abc123...` while the handler compares bare hex, so the subscriber takes the
 * `sha256=` off first (the only change to the sample). Headers and payload fields are the ones it documents:
 * `X-Webhook-ID` is `webhook_123` in both the header and the body's `webhook_id`.
 */
export function taskappProblems(request: ReceivedRequest, WEBHOOK_SECRET: string): string[] {
  function verifyWebhook(payload: string, signature: string, secret: string) {
    const expectedSignature = crypto.createHmac('sha256', secret).update(payload).digest('hex');

    return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expectedSignature));
  }
  const req = asExpress(request);
  const problems: string[] = [];
  const signature = String(req.headers['x-webhook-signature'] ?? '').replace(/^sha256=/, '');
  const payload = JSON.stringify(req.body);
  try {
    if (!verifyWebhook(payload, signature, WEBHOOK_SECRET)) problems.push('Invalid signature');
  } catch {
    // timingSafeEqual throws when the lengths differ: Express would answer 500.
    problems.push('Invalid signature (length)');
  }
  const { event, timestamp, webhook_id, data } = req.body;
  if (typeof event !== 'string') problems.push('event missing');
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) problems.push('timestamp missing');
  if (typeof webhook_id !== 'string' || webhook_id === '') problems.push('webhook_id missing');
  if (typeof data !== 'object' || data === null) problems.push('data missing');
  if (req.headers['x-webhook-id'] !== webhook_id)
    problems.push(`X-Webhook-ID ${String(req.headers['x-webhook-id'])} is not webhook_id ${String(webhook_id)}`);
  if (!/^\d+$/.test(String(req.headers['x-webhook-timestamp']))) problems.push('X-Webhook-Timestamp is not Unix seconds');
  return problems;
}
