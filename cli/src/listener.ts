import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignatureScheme } from '@hookline/signing';
import { type Verdict, verifyRequest } from './verification.js';

/** What `hookline listen` received and answered. */
export interface ReceivedDelivery {
  receivedAt: Date;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Absent when no secret is known (nothing to verify with). */
  verdict?: Verdict;
  response: { status: number; durationMs: number; forwardedTo?: string; error?: string };
}

export interface ListenerOptions {
  host: string;
  port: number;
  /** Checks signatures when set (the secret can arrive after the server started: the endpoint is made then). */
  signing?: (headers: Record<string, string>) => { secret: string; scheme: SignatureScheme } | undefined;
  /** Relays each request there and answers with its answer. */
  forward?: string;
  onDelivery: (delivery: ReceivedDelivery) => void;
  maxBodyBytes?: number;
}

/** Headers a proxy must not copy from one connection to the next (RFC 9110 §7.6.1), plus host. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
]);

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Sends the request on to `target` and answers with whatever it answered (502 when it cannot be reached). */
async function relay(
  target: string,
  req: IncomingMessage,
  headers: Record<string, string>,
  body: Buffer,
  res: ServerResponse,
): Promise<{ status: number; error?: string }> {
  try {
    const forwarded = await fetch(target, {
      method: req.method ?? 'POST',
      headers: Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name))),
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const answer = Buffer.from(await forwarded.arrayBuffer());
    const contentType = forwarded.headers.get('content-type');
    res.writeHead(forwarded.status, contentType ? { 'content-type': contentType } : {}).end(answer);
    return { status: forwarded.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    const message = `cannot forward to ${target}: ${reason}`;
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: message }));
    return { status: 502, error: message };
  }
}

/** A local HTTP server that records, verifies and answers (or forwards) every request it gets. */
export async function startListener({
  host,
  port,
  signing,
  forward,
  onDelivery,
  maxBodyBytes = 10 * 1024 * 1024,
}: ListenerOptions): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      const started = Date.now();
      const headers = flatHeaders(req);
      const body = await readBody(req, maxBodyBytes);
      if (!body) {
        res.writeHead(413).end();
        return;
      }
      const text = body.toString('utf8');
      const keys = signing?.(headers);
      const verdict = keys ? verifyRequest(headers, text, keys.secret, keys.scheme) : undefined;
      let response: ReceivedDelivery['response'];
      if (forward) {
        const relayed = await relay(forward, req, headers, body, res);
        response = { ...relayed, forwardedTo: forward, durationMs: Date.now() - started };
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        response = { status: 200, durationMs: Date.now() - started };
      }
      onDelivery({
        receivedAt: new Date(started),
        method: req.method ?? 'POST',
        path: req.url ?? '/',
        headers,
        body: text,
        ...(verdict ? { verdict } : {}),
        response,
      });
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end();
      process.stderr.write(`hookline listen: ${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${urlHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
