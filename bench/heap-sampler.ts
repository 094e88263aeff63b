/**
 * Each service's V8 heap in use, read from its `/metrics` (`nodejs_heap_size_used_bytes`) every few seconds. The
 * soak judges memory by RSS; this tells a heap that keeps what it should free (a leak) from an RSS that settles
 * (V8 sizing its heap after heavier scenarios, the allocator keeping pages): the least heap in use over a window
 * is what survived its collections.
 */
import { type Hookline, type ServiceName, serviceNames } from '@hookline/testkit';
import { request } from 'undici';

const sampleEveryMs = 5_000;
const heapUsedLine = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)$/m;

export interface HeapFigures {
  /** Least heap in use (MiB) over the first and the last tenth of the samples. */
  earlyRetainedMiB: number;
  lateRetainedMiB: number;
  samples: number;
}

export class HeapSampler {
  private readonly samples = new Map<ServiceName, number[]>(serviceNames.map((name) => [name, []]));
  private readonly timer: NodeJS.Timeout;
  private pending: Promise<void> = Promise.resolve();

  private constructor(private readonly hookline: Hookline) {
    this.timer = setInterval(() => {
      this.pending = this.sample();
    }, sampleEveryMs);
  }

  static start(hookline: Hookline): HeapSampler {
    return new HeapSampler(hookline);
  }

  async stop(): Promise<Map<ServiceName, HeapFigures>> {
    clearInterval(this.timer);
    await this.pending;
    const figures = new Map<ServiceName, HeapFigures>();
    for (const [name, samples] of this.samples) {
      if (samples.length === 0) continue;
      const tenth = Math.max(1, Math.floor(samples.length / 10));
      figures.set(name, {
        earlyRetainedMiB: Math.min(...samples.slice(0, tenth)),
        lateRetainedMiB: Math.min(...samples.slice(-tenth)),
        samples: samples.length,
      });
    }
    return figures;
  }

  private async sample(): Promise<void> {
    await Promise.all(
      serviceNames.map(async (name) => {
        try {
          const response = await request(`${this.hookline.serviceUrl(name)}/metrics`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
          const match = heapUsedLine.exec(await response.body.text());
          if (match) this.samples.get(name)!.push(Number(match[1]) / 1024 / 1024);
        } catch {
          // A sample missed (the service busy past the timeout) leaves a gap, not a zero.
        }
      }),
    );
  }
}
