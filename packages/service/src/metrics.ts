import { collectDefaultMetrics, Registry } from 'prom-client';

/** One Prometheus registry per process, with the default Node.js metrics, labelled with the service name. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
