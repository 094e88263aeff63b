import type { CreateWebhookInput, FieldProblem, Webhook } from '@hookline/api-client';
import { html, nothing, type TemplateResult } from 'lit-html';

/**
 * The delivery options of the webhook form: profile, signature scheme, payload format and filter, ordering,
 * circuit breaker, ThreadHound's fields, retries and limits, channels and custom headers. The choices are typed
 * from the generated API client (`Record<Name, ...>`), so a profile, scheme or format the API gains fails the
 * type check here until the page offers it.
 */

type Options = Omit<CreateWebhookInput, 'name' | 'url' | 'events' | 'description' | 'isActive' | 'secret'>;
type Profile = NonNullable<Options['profile']>;
type SignatureKind = NonNullable<Options['signature']>['kind'];
type PayloadFormat = NonNullable<Options['payloadFormat']>;

const profiles: Record<Profile, string> = {
  standard: 'Standard Webhooks: {type, timestamp, data}, HMAC-SHA256 webhook-signature',
  thig: 'thig.ai: {event, timestamp, data}, Standard Webhooks signature',
  twig: 'Twig: {id, type, timestamp, data, organizationId}, X-Twig-Signature hex HMAC',
  taskapp: 'Task app: {event, timestamp, webhook_id, data}, X-Webhook-Signature sha256=…',
  threadhound: 'ThreadHound: {webhookType, actionType, payload}, disabled at the first failure',
};

const signatureKinds: Record<SignatureKind, string> = {
  'standard-webhooks': 'Standard Webhooks (HMAC-SHA256, v1)',
  ed25519: 'Ed25519 (Standard Webhooks v1a: receivers verify with a public key)',
  'hmac-sha256-hex': 'Hex HMAC-SHA256 of the body in one header',
  none: 'None (unsigned)',
};

const payloadFormats: Record<PayloadFormat, string> = {
  standard: '{type, timestamp, data}',
  thig: '{event, timestamp, data}',
  twig: '{id, type, timestamp, data, organizationId}',
  taskapp: '{event, timestamp, webhook_id, data}',
  threadhound: '{webhookType, actionType, payload}',
};

/** The circuit breaker's settings with the defaults delivery applies to the ones left blank (README). */
const breakerSettings = [
  ['failureRatePercent', 'Failure rate (%)', 80],
  ['minAttempts', 'Minimum attempts', 20],
  ['windowSeconds', 'Window (s)', 60],
  ['cooldownSeconds', 'Cool-down (s)', 30],
  ['maxCooldownSeconds', 'Longest cool-down (s)', 600],
] as const;

/** What the form shows or hides as the admin picks options (kept across re-renders). */
export interface OptionsState {
  profile: string;
  payloadFormat: string;
  signatureKind: string;
  strict: boolean;
  breaker: boolean;
}

export function optionsState(existing: Webhook | undefined): OptionsState {
  return {
    profile: existing?.profile ?? '',
    payloadFormat: existing?.payloadFormat ?? '',
    signatureKind: existing?.signature?.kind ?? '',
    strict: existing?.ordering === 'strict',
    breaker: existing?.circuitBreaker != null,
  };
}

const json = (value: unknown) => (value && Object.keys(value).length ? JSON.stringify(value, null, 2) : '');
const list = (text: string) =>
  text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/** The options whose problems the form shows next to the option itself (the rest go in the box at the top). */
const inlineFields = [
  'profile',
  'signature',
  'retrySchedule',
  'headers',
  'filter',
  'orderingKey',
  'circuitBreaker',
  'communityId',
  'webhookTypes',
];
const isAt = (problem: FieldProblem, field: string) => problem.path === field || problem.path.startsWith(`${field}.`);
export const shownAtOption = (problem: FieldProblem) => inlineFields.some((field) => isAt(problem, field));

/** The problems that no longer apply once the admin changes the field `name` (the form's own or the API's). */
export function withoutProblemsOf(problems: FieldProblem[], name: string): FieldProblem[] {
  const field = name.startsWith('breaker-') ? 'circuitBreaker' : name.startsWith('signature-') ? 'signature' : name;
  return problems.filter((p) => !isAt(p, field) && p.path !== name);
}

/** The problems of one field (and the fields under it), as the API or the form reported them. */
function problemsAt(problems: FieldProblem[], field: string): TemplateResult | typeof nothing {
  const own = problems.filter((p) => isAt(p, field));
  if (!own.length) return nothing;
  return html`<span class="field-error" role="alert" data-testid=${`${field}-error`}>${own.map((p) => html`<span>${p.path}: ${p.message}</span>`)}</span>`;
}

function select<K extends string>(
  name: string,
  choices: Record<K, string>,
  current: string,
  empty: string | null,
  onPick?: (value: string) => void,
): TemplateResult {
  return html`<select name=${name} @change=${(e: Event) => onPick?.((e.currentTarget as HTMLSelectElement).value)}>
    ${empty === null ? nothing : html`<option value="" ?selected=${current === ''}>${empty}</option>`}
    ${Object.entries<string>(choices).map(([value, text]) => html`<option value=${value} ?selected=${current === value}>${value}: ${text}</option>`)}
  </select>`;
}

/** The option fields; `changed` re-renders after a pick that shows or hides fields. */
export function deliveryOptions(
  existing: Webhook | undefined,
  state: OptionsState,
  problems: FieldProblem[],
  changed: () => void,
): TemplateResult {
  const pick = (key: 'profile' | 'payloadFormat' | 'signatureKind') => (value: string) => {
    state[key] = value;
    changed();
  };
  const toggle = (key: 'strict' | 'breaker') => (e: Event) => {
    state[key] = (e.currentTarget as HTMLInputElement).checked;
    changed();
  };
  const signature = existing?.signature;
  const hex = signature?.kind === 'hmac-sha256-hex' ? signature : undefined;
  const threadhound = state.profile === 'threadhound' || state.payloadFormat === 'threadhound';
  const headers = Object.entries(existing?.headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return html`<fieldset>
      <legend>Delivery</legend>
      <label>Profile ${select('profile', profiles, state.profile, 'standard (default)', pick('profile'))}${problemsAt(problems, 'profile')}</label>
      <label>Signature scheme ${select('signature', signatureKinds, state.signatureKind, signature ? null : "the profile's", pick('signatureKind'))}
        ${problemsAt(problems, 'signature')}</label>
      ${
        state.signatureKind === 'hmac-sha256-hex'
          ? html`<label>Signature header <input name="signature-header" placeholder="x-webhook-signature" .value=${hex?.headerName ?? ''} /></label>
            <label>Signature prefix <input name="signature-prefix" placeholder="sha256=" .value=${hex?.prefix ?? ''} /></label>
            <label class="check"><input type="checkbox" name="signature-id-headers" .checked=${hex?.idAndTimestampHeaders ?? false} />
              <span>Id and timestamp headers<small>X-Webhook-ID, X-Webhook-Timestamp, X-Webhook-Delivery-ID</small></span></label>`
          : nothing
      }
      <label>Payload format ${select('payloadFormat', payloadFormats, state.payloadFormat, "the profile's", pick('payloadFormat'))}</label>
      <label>Retry delays <span class="hint">comma-separated retry tiers, e.g. 5s, 5m, 30m (blank: the profile's)</span>
        <input name="retrySchedule" .value=${existing?.retrySchedule?.join(', ') ?? ''} />${problemsAt(problems, 'retrySchedule')}</label>
      <div class="field-row">
        <label>Disable after failures <input name="disableAfterConsecutiveFailures" inputmode="numeric" placeholder="a number or never" .value=${
          existing?.disableAfterConsecutiveFailures === null ? 'never' : String(existing?.disableAfterConsecutiveFailures ?? '')
        } /></label>
        <label>Timeout (ms) <input name="timeoutMs" type="number" min="100" .value=${String(existing?.timeoutMs ?? '')} /></label>
        <label>Concurrency <input name="maxConcurrency" type="number" min="1" .value=${String(existing?.maxConcurrency ?? '')} /></label>
        <label>Requests/s <input name="rateLimitPerSecond" type="number" min="0.01" step="any" .value=${String(existing?.rateLimitPerSecond ?? '')} /></label>
      </div>
      <label>Channels <span class="hint">comma-separated; only events on one of them</span><input name="channels" .value=${existing?.channels?.join(', ') ?? ''} /></label>
      <label>Custom headers <span class="hint">one "Header: value" a line; values are write-only (******** keeps the stored one)</span>
        <textarea name="headers" rows="2" .value=${headers}></textarea>${problemsAt(problems, 'headers')}</label>
    </fieldset>
    <fieldset>
      <legend>Payload filter</legend>
      <label>Filter <span class="hint">JSON with MongoDB operators on dot paths into the data ($eq $ne $in $nin $gt $gte $lt $lte $exists $regex $not $and $or); blank: every event</span>
        <textarea name="filter" rows="4" spellcheck="false" placeholder='{"amount": {"$gte": 100}, "currency": {"$in": ["EUR", "USD"]}}' .value=${json(existing?.filter)}></textarea>
        ${problemsAt(problems, 'filter')}</label>
    </fieldset>
    <fieldset>
      <legend>Ordering and circuit breaker</legend>
      <label class="check"><input type="checkbox" name="ordering" .checked=${state.strict} @change=${toggle('strict')} />
        <span>Strict ordering<small>each delivery waits until the one before it succeeded or was dead-lettered</small></span></label>
      ${
        state.strict
          ? html`<label>Ordering key <span class="hint">a dot path into the event, e.g. data.orderId: only the same key waits</span>
            <input name="orderingKey" .value=${existing?.orderingKey ?? ''} placeholder="data.orderId" />${problemsAt(problems, 'orderingKey')}</label>`
          : nothing
      }
      <label class="check"><input type="checkbox" name="circuitBreaker" .checked=${state.breaker} @change=${toggle('breaker')} />
        <span>Circuit breaker<small>pause sending while most recent attempts fail, then let one probe through${
          state.strict ? ' (not while strict ordering is on: holding deliveries back would reorder them)' : ''
        }</small></span></label>
      ${
        state.breaker
          ? html`<div class="field-row">${breakerSettings.map(
              ([key, label, fallback]) =>
                html`<label>${label} <input name=${`breaker-${key}`} type="number" min="1" placeholder=${String(fallback)} .value=${String(existing?.circuitBreaker?.[key] ?? '')} /></label>`,
            )}</div>${problemsAt(problems, 'circuitBreaker')}`
          : nothing
      }
    </fieldset>
    ${
      threadhound
        ? html`<fieldset>
          <legend>ThreadHound</legend>
          <label>Community id <span class="hint">payload.communityId (blank: the event's data.communityId, else the tenant id)</span>
            <input name="communityId" .value=${existing?.communityId ?? ''} />${problemsAt(problems, 'communityId')}</label>
          <label>Webhook types <span class="hint">JSON: {"event.type": {"webhookType": "…", "actionType": "…"}}; others split at the last dot</span>
            <textarea name="webhookTypes" rows="3" spellcheck="false" placeholder='{"chat.message.created": {"webhookType": "chatmessage-crud", "actionType": "created"}}' .value=${json(existing?.webhookTypes)}></textarea>
            ${problemsAt(problems, 'webhookTypes')}</label>
        </fieldset>`
        : nothing
    }`;
}

interface FormFields {
  get(name: string): string;
  all(name: string): string[];
}

/** The options as the API takes them, or the problems that keep the form from sending them. */
export function readDeliveryOptions(
  values: FormFields,
  existing: Webhook | undefined,
  state: OptionsState,
): { options: Options; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const options: Options = {};
  const number = (name: string): number | undefined => {
    const text = values.get(name);
    if (!text) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) problems.push({ path: name, message: 'must be a number' });
    return value;
  };
  const parsed = (name: string): Record<string, unknown> | undefined => {
    const text = values.get(name);
    if (!text) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
      problems.push({ path: name, message: 'must be a JSON object' });
    } catch (error) {
      problems.push({ path: name, message: `not JSON: ${(error as Error).message}` });
    }
    return undefined;
  };

  if (state.profile) options.profile = state.profile as Profile;
  if (state.payloadFormat) options.payloadFormat = state.payloadFormat as PayloadFormat;
  if (state.signatureKind === 'hmac-sha256-hex') {
    const headerName = values.get('signature-header');
    const prefix = values.get('signature-prefix');
    options.signature = {
      kind: 'hmac-sha256-hex',
      ...(headerName ? { headerName } : {}),
      ...(prefix ? { prefix } : {}),
      idAndTimestampHeaders: values.get('signature-id-headers') === 'on',
    };
  } else if (state.signatureKind) options.signature = { kind: state.signatureKind as Exclude<SignatureKind, 'hmac-sha256-hex'> };

  const retrySchedule = list(values.get('retrySchedule'));
  if (retrySchedule.length) options.retrySchedule = retrySchedule;
  const disableAfter = values.get('disableAfterConsecutiveFailures') === 'never' ? null : number('disableAfterConsecutiveFailures');
  if (disableAfter !== undefined) options.disableAfterConsecutiveFailures = disableAfter;
  const timeoutMs = number('timeoutMs');
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  const maxConcurrency = number('maxConcurrency');
  if (maxConcurrency !== undefined) options.maxConcurrency = maxConcurrency;
  const rateLimit = number('rateLimitPerSecond');
  if (rateLimit !== undefined) options.rateLimitPerSecond = rateLimit;
  const channels = list(values.get('channels'));
  if (channels.length || existing?.channels?.length) options.channels = channels;
  const headerLines = values
    .get('headers')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (headerLines.length) {
    options.headers = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon < 1) problems.push({ path: 'headers', message: `"${line}" is not "Name: value"` });
      else options.headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }

  // An empty filter matches every event: clearing the field on an edit removes the filter.
  const filter = parsed('filter');
  if (filter || existing?.filter) options.filter = filter ?? {};
  if (state.strict) {
    options.ordering = 'strict';
    const orderingKey = values.get('orderingKey');
    if (orderingKey) options.orderingKey = orderingKey;
  } else if (existing?.ordering === 'strict') options.ordering = 'none';
  if (state.breaker) {
    const breaker: NonNullable<Options['circuitBreaker']> = {};
    for (const [key] of breakerSettings) {
      const value = number(`breaker-${key}`);
      if (value !== undefined) breaker[key] = value;
    }
    options.circuitBreaker = breaker;
  } else if (existing?.circuitBreaker) options.circuitBreaker = null;

  if (state.profile === 'threadhound' || state.payloadFormat === 'threadhound') {
    const communityId = values.get('communityId');
    if (communityId) options.communityId = communityId;
    const webhookTypes = parsed('webhookTypes');
    if (webhookTypes) options.webhookTypes = webhookTypes as Options['webhookTypes'];
  }
  return { options, problems };
}
