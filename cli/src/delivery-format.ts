import type { ReceivedDelivery } from './listener.js';
import { paint } from './output.js';
import { schemeLabel } from './verification.js';

/** Headers worth a glance for a webhook; the rest is shown with `--headers`. */
const summaryHeaders = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'x-webhook-id', 'x-webhook-timestamp'];
const signatureHeaders = /signature/i;
const bodyDisplayLimit = 64 * 1024;

/** The event type, whichever payload format the endpoint uses (type, event, webhookType). */
function eventTypeOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const type = record.type ?? record.event ?? record.webhookType;
  return typeof type === 'string' ? type : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function signatureText(delivery: ReceivedDelivery): string {
  const verdict = delivery.verdict;
  if (!verdict) return paint('yellow', 'signature not checked (no secret; pass --secret)');
  if (verdict.valid) return paint('green', `signature verified (${schemeLabel(verdict.scheme)})`);
  return paint('red', `signature INVALID: ${verdict.reason}: ${verdict.message}`);
}

/** A delivery as `hookline listen` prints it: a title line, signature, headers, pretty body, the answer. */
export function formatDelivery(delivery: ReceivedDelivery, { allHeaders = false } = {}): string {
  const json = parseJson(delivery.body);
  const id = delivery.headers['webhook-id'] ?? delivery.headers['x-webhook-delivery-id'] ?? delivery.headers['x-webhook-id'];
  const title = [delivery.receivedAt.toISOString(), `${delivery.method} ${delivery.path}`, eventTypeOf(json), id]
    .filter(Boolean)
    .join('  ');
  const shown = Object.entries(delivery.headers).filter(
    ([name]) => allHeaders || summaryHeaders.includes(name) || signatureHeaders.test(name) || name.startsWith('x-'),
  );
  const body = json === undefined ? delivery.body : JSON.stringify(json, null, 2);
  const { status, durationMs, forwardedTo, error } = delivery.response;
  const answer = forwardedTo ? `${status} from ${forwardedTo} in ${durationMs} ms${error ? ` (${error})` : ''}` : `${status}`;
  return [
    paint('bold', `── ${title}`),
    signatureText(delivery),
    ...shown.map(([name, value]) => paint('dim', `${name}: ${value}`)),
    body.length > bodyDisplayLimit ? `${body.slice(0, bodyDisplayLimit)}\n… (${body.length - bodyDisplayLimit} more characters)` : body,
    `→ answered ${status >= 200 && status < 300 ? paint('green', answer) : paint('red', answer)}`,
    '',
  ].join('\n');
}

/** The same as one JSON line, for `--json`. */
export function deliveryJson(delivery: ReceivedDelivery): string {
  const json = parseJson(delivery.body);
  return JSON.stringify({ ...delivery, receivedAt: delivery.receivedAt.toISOString(), body: json === undefined ? delivery.body : json });
}
