import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /** What the receiver was told to answer (set when the request has been read). */
  reply?: ReceiverReply;
  /** True once the whole answer was written (a client that gave up mid-answer leaves it unset). */
  answered?: boolean;
}

export interface ReceiverReply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
  /** Never answer (a hanging receiver). */
  hang?: boolean;
  /** Destroy the socket instead of answering (a connection reset). */
  reset?: boolean;
  /** Send the answer one byte every this many ms (a receiver that dribbles its response). */
  dribbleMs?: number;
  /** Answer with a body of this many bytes, streamed (a huge response); `body` is ignored. */
  bodyBytes?: number;
}

/** True when the receiver gave a complete 2xx answer: the webhook counts as delivered. */
export function answeredSuccess(request: ReceivedRequest): boolean {
  const status = request.reply?.status ?? 200;
  return Boolean(request.answered) && status >= 200 && status < 300;
}

/** A local HTTP receiver whose answers a test programs, recording every request it gets. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private reply: (req: ReceivedRequest, index: number) => ReceiverReply = () => ({ status: 200 });
  private waiters: { count: number; resolve: () => void }[] = [];
  private server: Server | undefined;
  url = '';

  /**
   * Listens on `host` (another loopback address such as 127.0.0.2 lets SSRF tests allow only it) and `port` (a free
   * one by default; `./dev up`'s demo receiver takes a fixed one the README can name).
   */
  static async start(host = '127.0.0.1', port = 0): Promise<Receiver> {
    const receiver = new Receiver();
    await receiver.listen(host, port);
    return receiver;
  }

  respond(reply: (req: ReceivedRequest, index: number) => ReceiverReply): this {
    this.reply = reply;
    return this;
  }

  async waitForRequests(count: number, timeoutMs = 30_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return this.requests;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver got ${this.requests.length} of ${count} requests within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    return this.requests;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async listen(host: string, port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        };
        const index = this.requests.push(received) - 1;
        const satisfied = this.waiters.filter((w) => this.requests.length >= w.count);
        this.waiters = this.waiters.filter((w) => this.requests.length < w.count);
        for (const waiter of satisfied) waiter.resolve();
        const reply = this.reply(received, index);
        received.reply = reply;
        if (reply.hang) return;
        if (reply.reset) return void req.socket.destroy();
        res.once('finish', () => {
          received.answered = true;
        });
        setTimeout(() => void writeReply(res, reply), reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(port, host, () => resolve()));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }
}

async function writeReply(res: ServerResponse, reply: ReceiverReply): Promise<void> {
  const body = reply.bodyBytes === undefined ? Buffer.from(reply.body ?? 'ok') : undefined;
  res.writeHead(reply.status ?? 200, {
    'content-type': 'text/plain',
    'content-length': String(body?.length ?? reply.bodyBytes),
    ...reply.headers,
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  if (body && reply.dribbleMs) {
    for (let i = 0; i < body.length && !res.destroyed; i++) {
      res.write(body.subarray(i, i + 1));
      await pause(reply.dribbleMs);
    }
    return void res.end();
  }
  if (body) return void res.end(body);
  // Streamed in 64 KiB chunks, honouring back-pressure; stops when the client goes away.
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let left = reply.bodyBytes!; left > 0 && !res.destroyed; left -= chunk.length) {
    const ok = res.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
    if (!ok) await drainedOrClosed(res);
  }
  res.end();
}

/** Resolves when `res` can take more or the client has gone; removes both listeners, so a long body adds none. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle).off('close', settle);
      resolve();
    };
    res.once('drain', settle).once('close', settle);
  });
}
