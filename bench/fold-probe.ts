/**
 * What the projector's counter writes cost the MongoDB-wire server, folded batch by batch or across batches
 * (`recordAttempts` with `deferFolds`, written every fourth batch as the projector does under load). Runs the
 * store's own code against the running dev FerretDB and reads its CPU from /proc.
 *
 *   set -a; . .hookline/infra.env; set +a
 *   node --conditions=@hookline/source --import tsx bench/fold-probe.ts "$(pgrep -f 'ferretdb --handler')" [endpoints] [attempts per batch] [batches]
 */
import type { AttemptRecord } from '@hookline/core';
import { Store } from '@hookline/store';
import { processCpuMs } from './procstats.js';

const [pidArg, endpointsArg = '250', perBatchArg = '250', batchesArg = '40'] = process.argv.slice(2);
const serverPid = Number(pidArg);
const endpoints = Number(endpointsArg);
const perBatch = Number(perBatchArg);
const batches = Number(batchesArg);
const mongoUrl = process.env.MONGO_URL;
if (!serverPid || !mongoUrl) throw new Error('usage: MONGO_URL=... fold-probe.ts <server pid> [endpoints] [attempts per batch] [batches]');

const serverCpuMs = () => processCpuMs(serverPid);

let seq = 0;
const body = 'x'.repeat(900);
/** A first attempt as delivery writes it: the request (about 1 KB of body) included. */
function attempt(): AttemptRecord {
  seq++;
  return {
    attemptId: `msg_${seq}.1`,
    deliveryId: `msg_${seq}`,
    eventId: `evt_${seq}`,
    eventType: 'order.created',
    endpointId: `ep_${seq % endpoints}`,
    tenantId: 'tn_probe',
    attempt: 1,
    url: 'http://127.0.0.1:9/hook',
    startedAt: new Date().toISOString(),
    durationMs: 3,
    outcome: 'success',
    statusCode: 200,
    final: true,
    request: { headers: { 'content-type': 'application/json', 'webhook-id': `msg_${seq}` }, body },
  };
}

for (const mode of ['each batch', 'every 4th batch', 'each batch', 'every 4th batch']) {
  const deferFolds = mode !== 'each batch';
  const store = await Store.connect(mongoUrl, `fold_probe_${Date.now().toString(36)}`);
  let offset = 0;
  const cpuBefore = serverCpuMs();
  const startedAt = performance.now();
  for (let b = 0; b < batches; b++) {
    const list = Array.from({ length: perBatch }, attempt);
    await store.recordAttempts(list, { partition: 0, offsets: list.map(() => String(offset++)) }, undefined, { deferFolds });
    if (deferFolds && b % 4 === 3) await store.flushFolds(0);
  }
  if (deferFolds) await store.flushFolds(0);
  const wallMs = performance.now() - startedAt;
  const cpuMs = serverCpuMs() - cpuBefore;
  const perAttemptUs = (cpuMs / (batches * perBatch)) * 1000;
  console.log(
    `counters written ${mode}: ${batches} batches of ${perBatch} attempts over ${endpoints} endpoints in ${wallMs.toFixed(0)} ms; server CPU ${cpuMs.toFixed(0)} ms, ${perAttemptUs.toFixed(0)} µs per attempt`,
  );
  await store.db.dropDatabase();
  await store.close();
}
