/**
 * The delivery Sender (or the raw client) alone against the bench receiver: its CPU per request, measured in this
 * process, without the rest of the stack on the cores. Add `--cpu-prof` for a profile of one request's path.
 * `cd bench && node --conditions=@hookline/source --import tsx sender-probe.ts [seconds] [sender|raw]`.
 */
import { rawClient, senderClient } from './http-clients.js';
import { BenchReceiver } from './receiver.js';

const seconds = Number(process.argv[2] ?? 10);
const which = process.argv[3] ?? 'sender';
const receiver = await BenchReceiver.start();
const url = `${receiver.baseUrl}/ok/probe`;
const run = which === 'raw' ? rawClient : senderClient;
await run(url, 1_000, 50);
const cpu = process.cpuUsage();
const result = await run(url, seconds * 1000, 50);
const used = process.cpuUsage(cpu);
const cpuUs = used.user + used.system;
const perRequestUs = (cpuUs / result.requests).toFixed(1);
console.log(`${which}: ${Math.round(result.perSecond)} req/s, ${perRequestUs} µs of CPU per request, p50 ${result.p50Ms.toFixed(2)} ms`);
receiver.stop();
