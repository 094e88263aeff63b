/** What scenarios share within one `pnpm bench` run. */
import type { BenchConfig } from '../profile.js';
import type { BenchReceiver } from '../receiver.js';
import type { BenchStack } from '../stack.js';

export interface ScenarioResult {
  /** Markdown printed under the scenario's heading. */
  text: string;
  /** Everything measured, for the JSON file. */
  data: unknown;
}

export interface BenchContext {
  config: BenchConfig;
  receiver: BenchReceiver;
  /** Started on first use, so the raw limit can run without the services. */
  stack(): Promise<BenchStack>;
  /** Raw limit (requests/s) once measured: the denominator of every ratio. */
  rawPerSecond?: number;
  /** CPU milliseconds the raw client spends per request: the denominator of `cpuPerDeliveryVsRaw`. */
  rawCpuMsPerRequest?: number;
  /** Maximum sustained deliveries/s (ingest, 10 endpoints) once measured: what latency and soak pace against. */
  maxDeliveriesPerSecond?: number;
}
