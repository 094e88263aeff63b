import { describe, expect, it } from 'vitest';
import {
  ApiError,
  apiErrorOf,
  apiKeyHeader,
  apiKeyMiddleware,
  createAdminClient,
  createIngestClient,
  fieldProblemsOf,
  ok,
} from '../src/index.js';

/** A fetch that records the request and answers `answer`; no network involved. */
function recordingFetch(answer: () => Response) {
  const requests: Request[] = [];
  return {
    requests,
    fetch: async (request: Request) => {
      requests.push(request);
      return answer();
    },
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('admin client', () => {
  it('sends the API key as a Bearer token and fills path parameters encoded', async () => {
    const recorder = recordingFetch(() => json(200, { state: 'active' }));
    const api = createAdminClient({ baseUrl: 'http://127.0.0.1:8200/', apiKey: 'hk_test', fetch: recorder.fetch });
    const stats = await ok(api.GET('/api/admin/webhooks/{id}/stats', { params: { path: { id: 'ep/1' } } }));
    expect(stats.state).toBe('active');
    const [request] = recorder.requests;
    expect(request?.url).toBe('http://127.0.0.1:8200/api/admin/webhooks/ep%2F1/stats');
    expect(request?.headers.get('authorization')).toBe('Bearer hk_test');
  });

  it('sends JSON bodies and query parameters', async () => {
    const recorder = recordingFetch(() => json(202, { id: 'evt_1', type: 'a.b', timestamp: '2026-01-01T00:00:00Z' }));
    const ingest = createIngestClient({ baseUrl: 'http://127.0.0.1:8100', apiKey: 'hk_test', fetch: recorder.fetch });
    const accepted = await ok(ingest.POST('/v1/events', { body: { type: 'a.b', data: { n: 1 } } }));
    expect(accepted.id).toBe('evt_1');
    const request = recorder.requests[0]!;
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(await request.json()).toEqual({ type: 'a.b', data: { n: 1 } });
  });

  it('reads a key per request from the middleware, and leaves an explicit header alone', async () => {
    const recorder = recordingFetch(() => json(200, { data: [] }));
    let key: string | null = null;
    const api = createAdminClient({ baseUrl: 'http://127.0.0.1:8200', fetch: recorder.fetch });
    api.use(apiKeyMiddleware(() => key));
    await ok(api.GET('/api/admin/webhooks'));
    key = 'hk_later';
    await ok(api.GET('/api/admin/webhooks'));
    await ok(api.GET('/api/admin/webhooks', { headers: apiKeyHeader('hk_explicit') }));
    expect(recorder.requests.map((r) => r.headers.get('authorization'))).toEqual([null, 'Bearer hk_later', 'Bearer hk_explicit']);
  });

  it('resolves a 204 to undefined', async () => {
    const recorder = recordingFetch(() => new Response(null, { status: 204 }));
    const api = createAdminClient({ baseUrl: 'http://127.0.0.1:8200', apiKey: 'hk_test', fetch: recorder.fetch });
    await expect(ok(api.DELETE('/api/admin/webhooks/{id}', { params: { path: { id: 'ep_1' } } }))).resolves.toBeUndefined();
  });
});

describe('errors', () => {
  it('carry the house error body: code, message, details', async () => {
    const details = [
      { path: 'url', message: 'Invalid URL' },
      { path: '', message: 'whole body' },
    ];
    const recorder = recordingFetch(() => json(422, { error: { code: 'validation_failed', message: 'Invalid request body', details } }));
    const api = createAdminClient({ baseUrl: 'http://127.0.0.1:8200', apiKey: 'hk_test', fetch: recorder.fetch });
    const failure = await ok(api.POST('/api/admin/webhooks', { body: { name: 'x', url: 'nope', events: ['*'] } })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 422, code: 'validation_failed', message: 'Invalid request body', details });
    expect((failure as ApiError).fieldProblems).toEqual(details);
  });

  it('fall back to http_<status> and the text (or the status line) for answers without an error body', () => {
    expect(apiErrorOf(new Response('', { status: 502, statusText: 'Bad Gateway' }), 'upstream down')).toMatchObject({
      code: 'http_502',
      message: 'upstream down',
    });
    expect(apiErrorOf(new Response('', { status: 503, statusText: 'Service Unavailable' }), undefined)).toMatchObject({
      code: 'http_503',
      message: '503 Service Unavailable',
    });
    expect(apiErrorOf(new Response('', { status: 500 }), { error: 'not the house shape' })).toMatchObject({ code: 'http_500' });
  });

  it('list field problems only from a validation list', () => {
    expect(fieldProblemsOf(undefined)).toEqual([]);
    expect(fieldProblemsOf({ path: 'a' })).toEqual([]);
    expect(fieldProblemsOf([{ path: ['a', 0], message: 'bad' }, 'noise'])).toEqual([{ path: 'a,0', message: 'bad' }]);
  });
});
