/**
 * Bare node:http keep-alive client (the raw limit) against the delivery service's Sender (undici, signing, SSRF
 * lookup, capped body read), to the same receiver, same payload, same concurrency and duration.
 */
import http from 'node:http';
import type { DeliveryTask, EndpointRecord } from '@hookline/core';
import { EndpointSecrets, Keyring, Sender, SsrfGuard } from '@hookline/delivery/sender';
import { resolvePolicy } from '@hookline/delivery-policy';
import { generateSecret, signatureHeaders } from '@hookline/signing';
import { blob, eventType } from './stack.js';

export interface ClientResult {
  name: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function drive(name: string, durationMs: number, concurrency: number, once: () => Promise<void>): Promise<ClientResult> {
  const latencies: number[] = [];
  const end = Date.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await once();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { name, requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

// The body Hookline delivers for a bench event (standard profile), so the receiver does the same work per request.
const payload = JSON.stringify({ type: eventType, timestamp: new Date().toISOString(), data: { seq: 0, blob } });

export function rawClient(url: string, durationMs: number, concurrency: number): Promise<ClientResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const secret = generateSecret();
  const target = new URL(url);
  return drive('bare node:http (raw limit)', durationMs, concurrency, () => {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      ...signatureHeaders({ kind: 'standard-webhooks' }, [secret], 'msg_bench', new Date(), payload),
    };
    return new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  });
}

export function senderClient(url: string, durationMs: number, concurrency: number): Promise<ClientResult> {
  // Sealed, as delivery reads endpoints from `config`: the Sender opens the secret on every attempt.
  const secrets = new EndpointSecrets(Keyring.parse(Keyring.generateEntry()));
  const sender = new Sender({
    timeoutMs: 10_000,
    responseExcerptBytes: 4096,
    guard: new SsrfGuard({ allowCidrs: ['127.0.0.0/8'], requireHttps: false }),
    secrets,
  });
  const endpoint: EndpointRecord = secrets.sealPlain({
    kind: 'endpoint',
    id: 'ep_bench',
    tenantId: 'ten_bench',
    name: 'bench',
    url,
    events: ['*'],
    secrets: [{ secret: generateSecret() }],
    isActive: true,
    createdAt: '',
    updatedAt: '',
  });
  const policy = resolvePolicy(endpoint);
  const task: DeliveryTask = {
    deliveryId: 'msg_bench',
    eventId: 'evt_bench',
    endpointId: endpoint.id,
    tenantId: endpoint.tenantId,
    attempt: 1,
    dueAt: 0,
    event: { id: 'evt_bench', type: eventType, tenantId: endpoint.tenantId, timestamp: new Date().toISOString(), data: { seq: 0, blob } },
  };
  return drive('Hookline Sender (undici)', durationMs, concurrency, async () => {
    const { record } = await sender.send(task, endpoint, policy);
    if (record.outcome !== 'success') throw new Error(record.errorMessage);
  });
}
