/**
 * What writing the attempt log costs the MongoDB-wire server per attempt, for events fanned out to `endpoints`
 * endpoints (each event's deliveries send the same ~1 KB payload, as in `pnpm bench`): the store's own
 * `recordAttempts` against a running server, its CPU read from /proc.
 *
 *   set -a; . .hookline/infra.env; set +a
 *   node --conditions=@hookline/source --import tsx bench/attempt-log-probe.ts "$(pgrep -f 'ferretdb --handler')" [endpoints] [batches]
 */
import type { AttemptRecord } from '@hookline/core';
import { Store } from '@hookline/store';
import { processCpuMs } from './procstats.js';

const [pidArg, endpointsArg = '10', batchesArg = '40'] = process.argv.slice(2);
const serverPid = Number(pidArg);
const endpoints = Number(endpointsArg);
const batches = Number(batchesArg);
const perBatch = 500;
const mongoUrl = process.env.MONGO_URL;
if (!serverPid || !mongoUrl) throw new Error('usage: MONGO_URL=... attempt-log-probe.ts <server pid> [endpoints] [batches]');

const serverCpuMs = () => processCpuMs(serverPid);

let seq = 0;
const blob = 'x'.repeat(900);
/** The first attempt of one delivery of event `event`, with the request as delivery records it. */
function attempt(event: number, endpoint: number): AttemptRecord {
  seq++;
  const body = JSON.stringify({ type: 'bench.tick', timestamp: '2026-12-03T10:00:00.000Z', data: { seq: event, blob } });
  return {
    attemptId: `msg_${seq}.1`,
    deliveryId: `msg_${seq}`,
    eventId: `evt_${event}`,
    eventType: 'bench.tick',
    endpointId: `ep_${endpoint}`,
    tenantId: 'tn_probe',
    attempt: 1,
    url: `http://127.0.0.1:9/hook/${endpoint}`,
    startedAt: new Date().toISOString(),
    durationMs: 3,
    outcome: 'success',
    statusCode: 200,
    final: true,
    request: {
      headers: {
        'content-type': 'application/json',
        'webhook-id': `msg_${seq}`,
        'webhook-timestamp': '1796292000',
        'webhook-signature': `v1,${Buffer.from(String(seq)).toString('base64').padEnd(44, 'A')}`,
        'user-agent': 'Hookline/1.0',
      },
      body,
    },
  };
}

let event = 0;
for (const round of [1, 2, 3]) {
  const store = await Store.connect(mongoUrl, `attempt_log_probe_${Date.now().toString(36)}`);
  let offset = 0;
  const cpuBefore = serverCpuMs();
  const startedAt = performance.now();
  for (let b = 0; b < batches; b++) {
    const list: AttemptRecord[] = [];
    while (list.length < perBatch) {
      event++;
      for (let e = 0; e < endpoints && list.length < perBatch; e++) list.push(attempt(event, e));
    }
    await store.recordAttempts(list, { partition: 0, offsets: list.map(() => String(offset++)) });
  }
  const cpuMs = serverCpuMs() - cpuBefore;
  console.log(
    `round ${round}: ${batches} batches of ${perBatch} attempts, events to ${endpoints} endpoint(s), in ${(performance.now() - startedAt).toFixed(0)} ms; server CPU ${cpuMs} ms, ${((cpuMs / (batches * perBatch)) * 1000).toFixed(0)} µs per attempt`,
  );
  await store.db.dropDatabase();
  await store.close();
}
