import { alertRules, type ConfigState } from '@hookline/core';
import { type Alerts, type DeadLetters, PacedCount } from '@hookline/store';
import { Gauge, type Registry } from 'prom-client';

/**
 * How long a scrape waits for MongoDB. A busy database (the projector's own writes queue ahead of these counts on
 * FerretDB) must not hold `/metrics` for minutes: the counters of the same scrape matter more, so a count that
 * takes longer keeps its previous value and lands on a later scrape.
 */
const scrapeBudgetMs = 2_000;

/** The value, or undefined when it takes longer than `ms` (it still completes, unobserved). */
async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A count for a gauge, read at most one at a time and spaced by how long the last one took. Counting dead letters
 * scans the collection on FerretDB (its `countDocuments` decodes every document): when a count outlasted the 5 s
 * between scrapes, each scrape used to start another while the earlier ones still ran, the scans piled up, and
 * FerretDB answered nothing else any more. In the round 6, 7 and 8 full benches the projector's writes waited
 * behind them for the rest of the run (docs/benchmarks.md, round 8).
 */
export class GaugeCount<T> {
  private readonly paced: PacedCount<T>;

  constructor(
    count: () => Promise<T>,
    private readonly budgetMs: number,
  ) {
    this.paced = new PacedCount(count);
  }

  /** The latest value counted; a new count starts first if none runs and the spacing has passed. */
  async read(): Promise<T | undefined> {
    await withinBudget(this.paced.latest(), this.budgetMs);
    return this.paced.last;
  }
}

/**
 * Gauges read when Prometheus scrapes: dead letters by state (the DLQ size, counted in MongoDB, all tenants),
 * endpoints by state (from the config view: `disabled` counts auto-disabled and switched-off endpoints), and
 * firing alerts by rule (for a Prometheus alert on Hookline's own alerts).
 */
export function registerStateGauges(
  registry: Registry,
  deadLetters: DeadLetters,
  alerts: Alerts,
  config: ConfigState,
  budgetMs = scrapeBudgetMs,
): void {
  const firing = new GaugeCount(
    () => Promise.all(alertRules.map((rule) => alerts.alerts.countDocuments({ state: 'firing', rule }))),
    budgetMs,
  );
  const letters = new GaugeCount(() => deadLetters.countByState(), budgetMs);
  new Gauge({
    name: 'hookline_alerts_firing',
    help: 'Alerts firing now, all tenants, by rule',
    labelNames: ['rule'],
    registers: [registry],
    async collect() {
      const counts = await firing.read();
      if (counts) for (const [i, rule] of alertRules.entries()) this.set({ rule }, counts[i]!);
    },
  });
  new Gauge({
    name: 'hookline_dead_letters',
    help: 'Dead-lettered deliveries kept for replay, by state (dead: not replayed yet)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await letters.read();
      if (counts) for (const state of ['dead', 'replayed'] as const) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'hookline_endpoints',
    help: 'Endpoints by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      let active = 0;
      let disabled = 0;
      for (const endpoint of config.endpoints.values()) endpoint.isActive ? active++ : disabled++;
      this.set({ state: 'active' }, active);
      this.set({ state: 'disabled' }, disabled);
    },
  });
}
