import type { Hookline, ServiceName } from '@hookline/testkit';

/** One service's `/metrics`, parsed into samples. */
export async function scrape(
  hookline: Hookline,
  service: ServiceName,
): Promise<{ name: string; labels: Record<string, string>; value: number }[]> {
  const text = await (await fetch(`${hookline.serviceUrl(service)}/metrics`)).text();
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels`. */
export async function metricValue(
  hookline: Hookline,
  service: ServiceName,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return (await scrape(hookline, service))
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

export async function health(
  hookline: Hookline,
  service: ServiceName,
): Promise<{ status: number; body: { status: string; checks: Record<string, { status: string; reason?: string }> } }> {
  const response = await fetch(`${hookline.serviceUrl(service)}/health`);
  return { status: response.status, body: (await response.json()) as Awaited<ReturnType<typeof health>>['body'] };
}
