import { maxJsonDepth, nestsDeeperThan } from '@hookline/catalog';
import type { ConfigView } from '@hookline/config';
import { ApiError, deliveryIdPattern, hashApiKey, type IncomingHookRecord, mapFields } from '@hookline/core';
import type { ApiRoute } from '@hookline/service';
import { excerptChars, type IncomingCalls } from '@hookline/store';
import { traceparentFrom } from '@hookline/tracing';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { z } from 'zod';
import { route } from './access.js';
import { toEnvelope } from './events.js';
import type { EventPublisher } from './publish.js';

export interface IncomingWebhookDeps {
  config: ConfigView;
  publisher: EventPublisher;
  maxBodyBytes: number;
  eventsIn: Counter;
  /** Where each call's outcome is kept for the admin page (not recorded without it). */
  calls?: IncomingCalls;
  logger?: Logger;
}

/** What a call leaves for `resolveAndRecord` to record: set by the parsers, the handler and `incomingCallErrors`. */
interface CallLocals {
  hook?: IncomingHookRecord;
  bodyExcerpt?: string;
  eventId?: string;
  error?: string;
}
const callLocals = (res: Response) => res.locals as CallLocals;

/** The body's first bytes as text, taken before parsing so even an unparseable body shows on the page. */
function keepExcerpt(_req: unknown, res: Response, body: Buffer) {
  callLocals(res).bodyExcerpt = body
    .subarray(0, excerptChars * 4)
    .toString('utf8')
    .slice(0, excerptChars);
}

const jsonTypes = ['application/json', 'application/*+json'];
const formType = 'application/x-www-form-urlencoded';

/** A form body as event data: a flat object of strings; of a repeated field the last value wins. */
export function formToData(form: Record<string, unknown>): Record<string, string> {
  // Object.fromEntries defines own properties, so a field named `__proto__` cannot reach the prototype.
  return Object.fromEntries(
    Object.entries(form).map(([name, value]) => [name, String(Array.isArray(value) ? (value.at(-1) ?? '') : (value ?? ''))]),
  );
}

/** Slack-style endpoint verification: `{type: "url_verification", challenge}` is answered, not turned into an event. */
export function verificationChallenge(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { type, challenge } = body as Record<string, unknown>;
  return type === 'url_verification' && typeof challenge === 'string' ? challenge : undefined;
}

const challengeQuery = z.object({ challenge: z.string().min(1).max(1024) });
const tokenParams = z.object({ token: z.string().describe("The incoming webhook's secret token") });

/** What a third party may POST: JSON (an object or an array) or a form, whose fields arrive as strings. */
const incomingBody = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
  error: 'JSON body must be an object or an array',
});

/** Headers in which Hookline's deliveries carry their delivery id (Standard Webhooks, the hex schemes, taskapp). */
const deliveryIdHeaders = ['webhook-id', 'x-webhook-id', 'x-webhook-delivery-id'];

/**
 * Why a call is one of Hookline's own deliveries, if it is: a delivery id in Hookline's format (`msg_` + 26
 * Crockford base32 characters; other senders' `msg_` ids differ in length or case) or Hookline's user agent.
 * An endpoint pointed at an incoming webhook would otherwise turn each event into another event, without end.
 */
export function ownDeliveryMark(headers: Request['headers']): string | undefined {
  for (const name of deliveryIdHeaders) {
    const value = headers[name];
    if (typeof value === 'string' && deliveryIdPattern.test(value)) return `its ${name} header is a Hookline delivery id`;
  }
  if (/^Hookline\//.test(headers['user-agent'] ?? '')) return "its user agent is Hookline's";
  return undefined;
}

/** Refuses Hookline's own deliveries before the body is read (the loop guard); the call is still recorded. */
const refuseOwnDeliveries: RequestHandler = (req, _res, next) => {
  const mark = ownDeliveryMark(req.headers);
  if (!mark) return next();
  next(
    new ApiError(
      'forbidden',
      `refused: this call is a webhook delivery made by Hookline (${mark}); an endpoint that points at an incoming webhook would loop`,
    ),
  );
};

/** Where incoming webhooks answer; `incomingCallErrors` is mounted here too. */
export const incomingWebhooksPrefix = '/api/webhooks/incoming';

/**
 * `/api/webhooks/incoming/:token`: third parties POST whatever they send (JSON or a form) and it becomes an
 * event of the hook's type for the hook's tenant. The token is the only credential (`auth: 'none'`; the routes'
 * own middleware checks it); it is looked up by its SHA-256, so a known and an unknown token take the same path
 * and the same time. These routes parse their own bodies because the rest of ingest accepts JSON only, and only
 * once the token is known (unknown tokens cost no parsing).
 */
export function incomingWebhookRoutes({ config, publisher, maxBodyBytes, eventsIn, calls, logger }: IncomingWebhookDeps): ApiRoute[] {
  const parsers = [
    express.json({ limit: maxBodyBytes, type: jsonTypes, strict: false, verify: keepExcerpt }),
    express.urlencoded({ limit: maxBodyBytes, type: formType, extended: false, verify: keepExcerpt }),
  ];

  /**
   * The hook a token belongs to. A hook created a moment ago through config-api may not have reached this
   * process's view yet, so a miss catches up on the config topic once before answering 404.
   */
  async function hookFor(req: Request): Promise<IncomingHookRecord> {
    const tokenHash = hashApiKey(String(req.params.token));
    // Concurrent misses share one catch-up (ConfigView coalesces them), so unknown tokens cost the broker little.
    const hook = await config.readFresh((state) => {
      const found = state.incomingHooksByTokenHash.get(tokenHash);
      return found && state.tenants.has(found.tenantId) ? found : undefined;
    });
    if (!hook) throw new ApiError('not_found', 'no such incoming webhook');
    return hook;
  }

  const resolveHook: RequestHandler = async (req, _res, next) => {
    await hookFor(req);
    next();
  };

  /**
   * Resolves the hook before the body is read and, once the answer is sent, records the call's outcome for the
   * hook's admin page; recording never delays or fails the answer.
   */
  const resolveAndRecord: RequestHandler = async (req, res, next) => {
    const locals = callLocals(res);
    locals.hook = await hookFor(req);
    if (calls) {
      res.once('finish', () => {
        calls
          .record(locals.hook!.id, {
            at: new Date().toISOString(),
            status: res.statusCode,
            ...(locals.eventId ? { eventId: locals.eventId, eventType: locals.hook!.eventType } : {}),
            ...(locals.error ? { error: locals.error } : {}),
            bodyExcerpt: locals.bodyExcerpt ?? '',
          })
          .catch((error: unknown) => logger?.warn({ err: error, hookId: locals.hook!.id }, 'could not record an incoming call'));
      });
    }
    next();
  };

  /** A body that neither parser took (another media type, or none) is refused before it is validated. */
  const requireJsonOrForm: RequestHandler = (req, _res, next) => {
    if (req.is(jsonTypes) || req.is(formType)) next();
    else next(new ApiError('unsupported_media_type', 'request body must be application/json or application/x-www-form-urlencoded'));
  };

  return [
    // Providers that verify an endpoint before use: `GET ...?challenge=xyz` must answer `xyz`.
    route({
      method: 'get',
      path: '/:token',
      tags: ['incoming webhooks'],
      summary: 'Endpoint verification: answers the `challenge` query parameter',
      auth: 'none',
      middleware: [resolveHook],
      params: tokenParams,
      query: challengeQuery,
      responses: { 200: { description: 'The challenge, as text', schema: z.string(), contentType: 'text/plain' } },
      errors: ['not_found'],
      async handler({ query, res }) {
        res.set('x-content-type-options', 'nosniff');
        return { status: 200, body: query.challenge };
      },
    }),
    route({
      method: 'post',
      path: '/:token',
      tags: ['incoming webhooks'],
      summary: "A third party's POST becomes an event of the hook's type (the token is the credential)",
      auth: 'none',
      rateLimit: 'incomingHook',
      middleware: [resolveAndRecord, refuseOwnDeliveries, ...parsers, requireJsonOrForm],
      params: tokenParams,
      body: incomingBody,
      bodyMediaTypes: ['application/json', formType],
      responses: {
        202: { description: 'Accepted as an event', schema: z.object({ id: z.string() }) },
        200: {
          description: 'A `{type: "url_verification", challenge}` body, answered',
          schema: z.object({ challenge: z.string() }),
        },
      },
      errors: ['not_found', 'forbidden', 'unavailable'],
      // The body as parsed, not as validated: a record's validated copy drops fields such as `__proto__`.
      async handler({ req, res }) {
        const hook = callLocals(res).hook!;
        const body = req.body as object;
        let data: object;
        if (req.is(jsonTypes)) {
          const challenge = verificationChallenge(body);
          if (challenge !== undefined) return { status: 200, body: { challenge } };
          data = body;
        } else {
          data = formToData(body as Record<string, unknown>);
        }
        // Deeper data could not be encoded as an event (the cap ingest and fanout share).
        if (nestsDeeperThan(data, maxJsonDepth)) {
          throw new ApiError('validation_failed', `JSON body nests deeper than ${maxJsonDepth} levels`, [
            { path: 'body', message: `nests deeper than ${maxJsonDepth} levels` },
          ]);
        }
        if (hook.mapping) data = mapFields(hook.mapping, data);
        const envelope = toEnvelope({ type: hook.eventType, data, ...(hook.channels ? { channels: hook.channels } : {}) }, hook.tenantId);
        await publisher.publish([envelope], traceparentFrom(req.headers));
        eventsIn.inc();
        callLocals(res).eventId = envelope.id;
        return { status: 202, body: { id: envelope.id } };
      },
    }),
  ];
}

/**
 * Mounted on `incomingWebhooksPrefix` after the routes: a form with more fields than the parser allows is a
 * too-large body, not an internal error. The call's record keeps what the caller was told (our errors and the
 * body parsers' own 4xx), never an internal error's text.
 */
export const incomingCallErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const failure =
    (error as { type?: string }).type === 'parameters.too.many' ? new ApiError('payload_too_large', 'too many form fields') : error;
  const told = failure instanceof ApiError || (failure as { expose?: boolean }).expose === true;
  callLocals(res).error = told ? (failure as Error).message : 'internal error';
  next(failure);
};
