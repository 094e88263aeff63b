/** The bench's handle on the receiver process (bench/receiver-process.ts). */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Loopback addresses besides 127.0.0.1 the receiver also answers on (`origin(i)`). */
const extraOrigins = 16;

export interface ReceiverCounts {
  ok: number;
  failed: number;
  hung: number;
  dribbled: number;
}

type Message =
  | ({ type: 'progress' } & ReceiverCounts)
  | { type: 'listening'; port: number }
  | { type: 'reset' }
  | { type: 'samples'; seqs: number[]; times: number[] };

export class BenchReceiver {
  /** Counts as of the last progress report (at most ~50 ms old). */
  counts: ReceiverCounts = { ok: 0, failed: 0, hung: 0, dribbled: 0 };
  private listeners = new Set<() => void>();
  private replies: ((message: Message) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    private readonly port: number,
  ) {
    child.on('message', (message: Message) => {
      if (message.type === 'progress') {
        this.counts = { ok: message.ok, failed: message.failed, hung: message.hung, dribbled: message.dribbled };
        for (const listener of this.listeners) listener();
      } else if (message.type === 'reset' || message.type === 'samples') {
        this.replies.shift()?.(message);
      }
    });
  }

  static async start(): Promise<BenchReceiver> {
    const child = fork(fileURLToPath(new URL('./receiver-process.ts', import.meta.url)), [String(extraOrigins)], {
      execArgv: ['--conditions=@hookline/source', '--import', 'tsx'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (m: Message) => m.type === 'listening' && resolve(m.port));
    });
    return new BenchReceiver(child, `http://127.0.0.1:${port}`, port);
  }

  /** The receiver on another loopback address (127.0.0.2 for 0, ...): an origin of its own, same answers. */
  origin(index: number): string {
    if (index >= extraOrigins) throw new Error(`the receiver listens on ${extraOrigins} extra origins`);
    return `http://127.0.0.${index + 2}:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Calls `listener` on every progress report until the returned function is called. */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once `ok` reaches `count`, or rejects after `timeoutMs`. */
  waitForOk(count: number, timeoutMs: number): Promise<void> {
    if (this.counts.ok >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`receiver got ${this.counts.ok} of ${count} deliveries within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onProgress(() => {
        if (this.counts.ok < count) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Forgets everything received so far (counts and samples). */
  async reset(): Promise<void> {
    await this.ask({ cmd: 'reset' });
    this.counts = { ok: 0, failed: 0, hung: 0, dribbled: 0 };
  }

  /** Arrival time (ms since the epoch, sub-ms) and event seq of every 200 since the last reset. */
  async collect(): Promise<{ seqs: number[]; times: number[] }> {
    const message = await this.ask({ cmd: 'collect' });
    if (message.type !== 'samples') throw new Error(`unexpected receiver answer ${message.type}`);
    return message;
  }

  stop(): void {
    this.child.kill();
  }

  private ask(command: { cmd: string }): Promise<Message> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child.send(command);
    });
  }
}
