import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
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
}

/** A local HTTP receiver whose answers a test programs, recording every request it gets. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private reply: (req: ReceivedRequest, index: number) => ReceiverReply = () => ({ status: 200 });
  private waiters: { count: number; resolve: () => void }[] = [];
  private server: Server | undefined;
  url = '';

  /** Listens on `host` (another loopback address such as 127.0.0.2 lets SSRF tests allow only it). */
  static async start(host = '127.0.0.1'): Promise<Receiver> {
    const receiver = new Receiver();
    await receiver.listen(host);
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
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
    return this.requests;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async listen(host: string): Promise<void> {
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
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
        const reply = this.reply(received, index);
        if (reply.hang) return;
        if (reply.reset) return void req.socket.destroy();
        setTimeout(() => {
          res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
          res.end(reply.body ?? 'ok');
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, () => resolve()));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }
}
