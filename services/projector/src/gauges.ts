import { alertRules, type ConfigState } from '@hookline/core';
import type { Alerts, DeadLetters } from '@hookline/store';
import { Gauge, type Registry } from 'prom-client';

/**
 * Gauges read when Prometheus scrapes: dead letters by state (the DLQ size, counted in MongoDB, all tenants),
 * endpoints by state (from the config view: `disabled` counts auto-disabled and switched-off endpoints), and
 * firing alerts by rule (for a Prometheus alert on Hookline's own alerts).
 */
export function registerStateGauges(registry: Registry, deadLetters: DeadLetters, alerts: Alerts, config: ConfigState): void {
  new Gauge({
    name: 'hookline_alerts_firing',
    help: 'Alerts firing now, all tenants, by rule',
    labelNames: ['rule'],
    registers: [registry],
    async collect() {
      for (const rule of alertRules) this.set({ rule }, await alerts.alerts.countDocuments({ state: 'firing', rule }));
    },
  });
  new Gauge({
    name: 'hookline_dead_letters',
    help: 'Dead-lettered deliveries kept for replay, by state (dead: not replayed yet)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await deadLetters.countByState();
      for (const state of ['dead', 'replayed'] as const) this.set({ state }, counts[state]);
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
