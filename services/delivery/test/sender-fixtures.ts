import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EndpointRecord, EventEnvelope } from '@hookline/core';
import { planTask, resolvePolicy } from '@hookline/delivery-policy';
import { EndpointSecrets, Keyring } from '@hookline/secrets';
import { type AttemptResult, Sender, type SenderOptions, SsrfGuard } from '../src/sender.js';

/** The event the Sender's tests deliver unless they need data of their own. */
export const senderTestEvent: EventEnvelope = {
  id: 'evt_1',
  type: 'task.created',
  tenantId: 'ten',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: {},
};

/** A Sender whose SSRF guard lets loopback receivers through, with a keyring of its own unless `secrets` is given. */
export function loopbackSender(options: Pick<SenderOptions, 'timeoutMs' | 'responseExcerptBytes'> & Partial<SenderOptions>): Sender {
  return new Sender({
    guard: new SsrfGuard({ allowCidrs: ['127.0.0.0/8'], requireHttps: false }),
    secrets: new EndpointSecrets(Keyring.parse(Keyring.generateEntry())),
    ...options,
  });
}

/** Sends the first attempt of `event` to `target`, under the target's own policy. */
export function sendFirstAttempt(sender: Sender, target: EndpointRecord, event: EventEnvelope = senderTestEvent): Promise<AttemptResult> {
  return sender.send(planTask({ kind: 'first', event, endpoint: target, now: 0 }), target, resolvePolicy(target));
}

/** The connections a test receiver has open, kept current as they open and close. */
export function openConnections(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/**
 * Answers as a bad receiver does, for the paths that name one: `/hang` never answers, `/dribble` sends a 200 of
 * 200 bytes one byte every 100 ms (20 s in all). False for any other path, which the caller answers.
 */
export function answerBadly(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url === '/hang') return true;
  if (req.url !== '/dribble') return false;
  res.writeHead(200, { 'content-length': '200' });
  const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 100);
  return true;
}
