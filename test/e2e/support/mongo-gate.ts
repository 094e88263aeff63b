import { createConnection, createServer, type Server, type Socket } from 'node:net';

const OP_MSG = 2013;

/** The command name and its value (the collection) of an OP_MSG request, from its body section's first element. */
function commandOf(message: Buffer): { name: string; collection: string } | undefined {
  if (message.length < 26 || message.readInt32LE(12) !== OP_MSG || message[20] !== 0) return undefined;
  // header (16) + flagBits (4) + section kind (1) + document length (4), then the first element: type, name, value.
  let at = 25;
  const type = message[at++];
  const nameEnd = message.indexOf(0, at);
  if (nameEnd < 0) return undefined;
  const name = message.toString('utf8', at, nameEnd);
  if (type !== 0x02) return { name, collection: '' };
  const length = message.readInt32LE(nameEnd + 1);
  return { name, collection: message.toString('utf8', nameEnd + 5, nameEnd + 4 + length) };
}

/**
 * A loopback proxy in front of the MongoDB-wire server that can hold one kind of write: the first request of
 * the armed command on the armed collection (and whatever follows it on that connection) waits until `release()`.
 * A test freezes a process exactly between reading a document and writing it, as a long pause (GC, a stalled
 * disk, a slow network) would.
 */
export class MongoGate {
  private armed: { name: string; collection: string } | undefined;
  private heldSocket: Socket | undefined;
  private backlog: Buffer[] = [];
  private upstreamOf = new Map<Socket, Socket>();
  private onHeld: (() => void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<MongoGate> {
    const { hostname, port } = new URL(target);
    let gate: MongoGate | undefined;
    const server = createServer((client) => gate!.accept(client, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    gate = new MongoGate(server, `mongodb://127.0.0.1:${address.port}/`);
    return gate;
  }

  /** Holds the next `name` command on `collection`; resolves once one is held. */
  hold(name: string, collection: string): Promise<void> {
    this.armed = { name, collection };
    return new Promise((resolve) => (this.onHeld = resolve));
  }

  /** Lets what is held through, in order, and passes everything from then on. */
  release(): void {
    const socket = this.heldSocket;
    this.heldSocket = undefined;
    this.armed = undefined;
    if (!socket) return;
    const upstream = this.upstreamOf.get(socket);
    for (const chunk of this.backlog) upstream?.write(chunk);
    this.backlog = [];
  }

  close(): Promise<void> {
    for (const [client, upstream] of this.upstreamOf) {
      client.destroy();
      upstream.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port });
    this.upstreamOf.set(client, upstream);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const size = pending.readInt32LE(0);
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        this.forward(client, upstream, Buffer.from(message));
      }
    });
    const end = () => {
      this.upstreamOf.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    client.on('error', end);
    upstream.on('close', end);
    upstream.on('error', end);
  }

  private forward(client: Socket, upstream: Socket, message: Buffer): void {
    if (this.heldSocket === client) {
      this.backlog.push(message);
      return;
    }
    const command = this.armed && !this.heldSocket ? commandOf(message) : undefined;
    if (command && command.name === this.armed!.name && command.collection === this.armed!.collection) {
      this.heldSocket = client;
      this.backlog.push(message);
      this.onHeld?.();
      return;
    }
    upstream.write(message);
  }
}
