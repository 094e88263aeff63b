import type { Timeseries } from '@hookline/api-client';
import { html, svg, type TemplateResult } from 'lit-html';
import { bucketLabel, count, ms } from './format.js';

const width = 720;
const height = 180;
const pad = { left: 44, right: 12, top: 12, bottom: 24 } as const;
const plotW = width - pad.left - pad.right;
const plotH = height - pad.top - pad.bottom;

/** A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above `value`. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value)!;
}

function frame(max: number, series: Timeseries, format: (v: number) => string) {
  const labelEvery = Math.max(1, Math.ceil(series.points.length / 6));
  return svg`
    ${[0, 0.5, 1].map((f) => {
      const y = pad.top + plotH - f * plotH;
      return svg`<line class="grid" x1=${pad.left} x2=${width - pad.right} y1=${y} y2=${y}></line>
        <text class="axis" x=${pad.left - 6} y=${y + 4} text-anchor="end">${format(max * f)}</text>`;
    })}
    ${series.points.map((p, i) =>
      i % labelEvery === 0
        ? svg`<text class="axis" x=${pad.left + (i + 0.5) * (plotW / series.points.length)} y=${height - 6} text-anchor="middle">${bucketLabel(p.t, series.bucketSeconds)}</text>`
        : null,
    )}`;
}

/** Delivered (green) and failed (red) attempts per bucket, stacked. */
export function volumeChart(series: Timeseries): TemplateResult {
  const max = niceMax(Math.max(...series.points.map((p) => p.delivered + p.failed), 0));
  const slot = plotW / Math.max(series.points.length, 1);
  const barW = Math.max(1, slot * 0.72);
  const scale = (v: number) => (v / max) * plotH;
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Deliveries and failures over time">
    ${frame(max, series, (v) => (Number.isInteger(v) ? count(v) : ''))}
    ${series.points.map((p, i) => {
      const x = pad.left + i * slot + (slot - barW) / 2;
      const okH = scale(p.delivered);
      const badH = scale(p.failed);
      const base = pad.top + plotH;
      return svg`<g class="bar"><title>${bucketLabel(p.t, series.bucketSeconds)}: ${p.delivered} delivered, ${p.failed} failed</title>
        <rect class="ok" x=${x} y=${base - okH} width=${barW} height=${okH}></rect>
        <rect class="bad" x=${x} y=${base - okH - badH} width=${barW} height=${badH}></rect></g>`;
    })}
  </svg>`;
}

/** Average and p95 response time per bucket (buckets without attempts leave a gap). */
export function latencyChart(series: Timeseries): TemplateResult {
  const max = niceMax(Math.max(...series.points.map((p) => p.p95Ms), 0));
  const slot = plotW / Math.max(series.points.length, 1);
  const line = (value: (p: Timeseries['points'][number]) => number) => {
    let d = '';
    let open = false;
    series.points.forEach((p, i) => {
      if (p.delivered + p.failed === 0) {
        open = false;
        return;
      }
      const x = pad.left + (i + 0.5) * slot;
      const y = pad.top + plotH - (value(p) / max) * plotH;
      d += `${open ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
      open = true;
    });
    return d;
  };
  const dots = series.points.filter((p) => p.delivered + p.failed > 0).length;
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Response time over time">
    ${frame(max, series, (v) => ms(v))}
    <path class="line p95" d=${line((p) => p.p95Ms)}></path>
    <path class="line avg" d=${line((p) => p.avgMs)}></path>
    ${
      dots <= 60
        ? series.points.map((p, i) => {
            if (p.delivered + p.failed === 0) return null;
            const x = pad.left + (i + 0.5) * slot;
            const y = (v: number) => pad.top + plotH - (v / max) * plotH;
            return svg`<g><title>${bucketLabel(p.t, series.bucketSeconds)}: avg ${ms(p.avgMs)}, p95 ≤ ${ms(p.p95Ms)}</title>
            <circle class="dot p95" cx=${x} cy=${y(p.p95Ms)} r="2.5"></circle><circle class="dot" cx=${x} cy=${y(p.avgMs)} r="2.5"></circle></g>`;
          })
        : null
    }
  </svg>`;
}

export function chartLegend(items: [className: string, label: string][]): TemplateResult {
  return html`<div class="legend">${items.map(([c, label]) => html`<span><i class=${c}></i>${label}</span>`)}</div>`;
}
