import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';

/** How much load each scenario puts through; `short` fits CI (a few minutes), `full` is the documented run. */
export interface FaultProfile {
  name: 'short' | 'full';
  /** Events per process-kill / mongo scenario, and their rate. */
  events: number;
  perSecond: number;
  /** Healthy endpoints subscribed to every scenario's events. */
  endpoints: number;
  /** The broker-outage scenario: how long the broker stays down, and the load around it. */
  brokerDownMs: number;
  brokerEvents: number;
  brokerPerSecond: number;
  /** Events sent while misbehaving receivers are in the mix. */
  receiverEvents: number;
}

const profiles: Record<FaultProfile['name'], FaultProfile> = {
  short: {
    name: 'short',
    events: 240,
    perSecond: 30,
    endpoints: 3,
    brokerDownMs: 20_000,
    brokerEvents: 600,
    brokerPerSecond: 10,
    receiverEvents: 60,
  },
  full: {
    name: 'full',
    events: 1500,
    perSecond: 60,
    endpoints: 5,
    brokerDownMs: 20_000,
    brokerEvents: 2400,
    brokerPerSecond: 30,
    receiverEvents: 300,
  },
};

export function faultProfile(env: NodeJS.ProcessEnv = process.env): FaultProfile {
  const name = env.HOOKLINE_FAULTS_PROFILE || 'short';
  if (name !== 'short' && name !== 'full') throw new Error(`HOOKLINE_FAULTS_PROFILE must be short or full, not ${JSON.stringify(name)}`);
  return profiles[name];
}

export const summaryFile = join(repoRoot, 'test-results', 'faults-summary.json');
