/**
 * The webhook receiver of every bench scenario, in its own process so the process under test has its cores to
 * itself (and so its CPU shows separately). One keep-alive server; the path says how to answer:
 * `/hang/...` never answers (the client times out), `/fail/...` answers 500, `/dribble/...` sends a 200 one byte
 * every 100 ms (10 s for the whole answer, the delivery timeout), anything else 200. For each plain 200 it
 * records the arrival time and the `"seq":N` of the body (the bench numbers its events), so the parent can turn
 * them into accept-to-delivery latencies. Talks to the parent over IPC: progress counts every 50 ms, and
 * `reset` / `collect` commands. It listens on 127.0.0.1 and on as many more loopback addresses as its first
 * argument says (127.0.0.2, 127.0.0.3, ...) with the same port: distinct origins for the client, on this machine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const extraOrigins = Number(process.argv[2] ?? 0);

const seqs: number[] = [];
const times: number[] = [];
const counts = { ok: 0, failed: 0, hung: 0, dribbled: 0 };
const seqPattern = /"seq":(\d+)/;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = req.url ?? '';
    if (path.startsWith('/hang')) return void counts.hung++;
    if (path.startsWith('/dribble')) {
      counts.dribbled++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      const timer = setInterval(() => (res.destroyed || res.writableEnded ? clearInterval(timer) : res.write('x')), 100);
      res.once('close', () => clearInterval(timer));
      return;
    }
    if (path.startsWith('/fail')) {
      counts.failed++;
      res.writeHead(500, { 'content-type': 'text/plain', 'content-length': '4' });
      return void res.end('fail');
    }
    const at = performance.timeOrigin + performance.now();
    const seq = seqPattern.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
    if (seq !== undefined) {
      seqs.push(Number(seq));
      times.push(at);
    }
    counts.ok++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
}

function listen(port: number, host: string): Promise<number> {
  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  return new Promise((resolve, reject) =>
    server.once('error', reject).listen(port, host, () => resolve((server.address() as AddressInfo).port)),
  );
}

type Command = { cmd: 'reset' } | { cmd: 'collect' };
process.on('message', (message: Command) => {
  if (message.cmd === 'reset') {
    seqs.length = 0;
    times.length = 0;
    counts.ok = counts.failed = counts.hung = counts.dribbled = 0;
    process.send?.({ type: 'reset' });
  } else if (message.cmd === 'collect') {
    process.send?.({ type: 'samples', seqs, times });
  }
});

let reported = '';
setInterval(() => {
  const now = JSON.stringify(counts);
  if (now !== reported) process.send?.({ type: 'progress', ...counts });
  reported = now;
}, 50);

const port = await listen(0, '127.0.0.1');
await Promise.all(Array.from({ length: extraOrigins }, (_, i) => listen(port, `127.0.0.${i + 2}`)));
process.send?.({ type: 'listening', port });
process.on('disconnect', () => process.exit(0));
