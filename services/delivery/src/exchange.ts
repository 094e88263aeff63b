import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/**
 * The request's own deadline passed. Named `TimeoutError`, which `failureOfError` reads as a timeout ("timeout: no
 * complete answer within the deadline (10000 ms)").
 */
export class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`${timeoutMs} ms`);
  }
}

/** What a receiver answered: its status, headers and at most the excerpt's bytes of its body. */
export interface Answer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  excerpt: string;
}

export interface ExchangeOptions {
  body: string;
  headers: Record<string, string>;
  /** One deadline for the whole exchange: waiting for a connection, sending, the answer and its body. */
  timeoutMs: number;
  /** Bytes of the answer's body read at all: past them the connection is dropped (an endless body costs no more). */
  excerptBytes: number;
}

/**
 * One POST through undici's dispatcher, at the level of its handler. The `request()` API builds a body stream,
 * an async iterator and an abort signal per request; measured on this machine, a request through it cost
 * 100-135 µs of CPU and one through this handler 36-42 µs (docs/benchmarks.md, round 16). Deliveries need
 * none of it: the answer is read into a capped excerpt, and the deadline is one timer.
 */
export function exchange(dispatcher: Dispatcher, url: URL, options: ExchangeOptions): Promise<Answer> {
  const { timeoutMs, excerptBytes } = options;
  return new Promise<Answer>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let statusCode = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const answer = (): Answer => ({
      statusCode,
      headers,
      excerpt: Buffer.concat(chunks, size).subarray(0, excerptBytes).toString('utf8'),
    });
    // A request still waiting for a connection at its deadline is ended here and aborted once it gets one.
    const timer = setTimeout(() => {
      const error = new DeadlineError(timeoutMs);
      settle(() => reject(error));
      controller?.abort(error);
    }, timeoutMs);
    timer.unref();
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (settled) started.abort(new DeadlineError(timeoutMs));
      },
      onResponseStart(_controller, status, responseHeaders) {
        // 1xx answers are informational: the final answer follows.
        if (status < 200) return;
        statusCode = status;
        headers = responseHeaders;
      },
      onResponseData(started, chunk) {
        if (settled) return;
        chunks.push(chunk);
        size += chunk.length;
        // Enough for the log: stop reading (a huge or endless body must not cost more than the cap).
        if (size >= excerptBytes) {
          settle(() => resolve(answer()));
          started.abort(new Error('response excerpt complete'));
        }
      },
      onResponseEnd() {
        settle(() => resolve(answer()));
      },
      onResponseError(_controller, error) {
        settle(() => reject(error));
      },
    };
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: url.search ? `${url.pathname}${url.search}` : url.pathname,
        method: 'POST',
        body: options.body,
        headers: options.headers,
      },
      handler,
    );
  });
}
