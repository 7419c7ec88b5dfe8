/**
 * Small inline-SVG charts for the report: horizontal bars, a per-step funnel, overlaid histograms, a
 * bullet chart (value against a target) and a 100% stacked bar. Pure string builders: no script, no
 * fonts, no network; every piece of text goes through `esc`. Styling comes from the page's CSS classes
 * (see report-page.ts), colours are passed in.
 */
import { esc } from './html-escape.js';
import { fmtCompact } from './format.js';

/** Approximate width of `text` at the report's 12px chart font (no layout engine at render time). */
export function textWidth(text: string, px = 12): number {
  return text.length * px * 0.58;
}

function clip(text: string, maxPx: number, px = 12): string {
  const max = Math.max(3, Math.floor(maxPx / (px * 0.58)));
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

function svgOpen(width: number, height: number, title: string, cls: string): string {
  return `<svg class="chart ${cls}" viewBox="0 0 ${width} ${r1(height)}" width="${width}" height="${r1(height)}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>`;
}

/** Round tick values covering [0, max]: 0, step, 2*step, ... with step 1, 2 or 5 x 10^k. */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export interface BarRow {
  label: string;
  value: number;
  color?: string;
  /** Text after the bar; defaults to the compact value. */
  valueLabel?: string;
  /** Tooltip; defaults to "label: valueLabel". */
  tooltip?: string;
  /** Rows of one group are drawn under a heading with its name (e.g. the filter a reason belongs to). */
  group?: string;
}

export interface BarChartOptions {
  title: string;
  width?: number;
  /** Scale maximum; defaults to the largest value. */
  max?: number;
  color?: string;
}

/** Horizontal bars, one row per item, label on the left and value after the bar. */
export function barChart(rows: BarRow[], o: BarChartOptions): string {
  const width = o.width ?? 640;
  const rowH = 22;
  const barH = 14;
  const labelW = Math.min(240, Math.max(70, Math.max(...rows.map((r) => textWidth(r.label))) + 12));
  const valueW = Math.min(170, Math.max(50, Math.max(...rows.map((r) => textWidth(r.valueLabel ?? fmtCompact(r.value)))) + 12));
  const barW = width - labelW - valueW;
  const max = o.max ?? Math.max(0, ...rows.map((r) => r.value));
  const headH = 20;
  const heads = rows.filter((r, i) => r.group !== undefined && r.group !== rows[i - 1]?.group).length;
  const height = rows.length * rowH + heads * headH + 8;
  let s = svgOpen(width, height, o.title, 'bars');
  let y = 4;
  rows.forEach((r, i) => {
    if (r.group !== undefined && r.group !== rows[i - 1]?.group) {
      s += `<text class="group" x="0" y="${r1(y + headH - 6)}">${esc(clip(r.group, width - 10))}</text>`;
      y += headH;
    }
    const w = max > 0 ? Math.max(r.value > 0 ? 1.5 : 0, (r.value / max) * barW) : 0;
    const vl = r.valueLabel ?? fmtCompact(r.value);
    s += `<g class="row"><title>${esc(r.tooltip ?? `${r.group !== undefined ? `${r.group}: ` : ''}${r.label}: ${vl}`)}</title>`;
    s += `<text class="lbl" x="${r1(labelW - 8)}" y="${r1(y + rowH / 2)}" text-anchor="end" dominant-baseline="central">${esc(clip(r.label, labelW - 12))}</text>`;
    s += `<rect class="track" x="${r1(labelW)}" y="${r1(y + (rowH - barH) / 2)}" width="${r1(barW)}" height="${barH}" rx="2"/>`;
    s += `<rect class="bar" x="${r1(labelW)}" y="${r1(y + (rowH - barH) / 2)}" width="${r1(w)}" height="${barH}" rx="2" fill="${esc(r.color ?? o.color ?? '#4e79a7')}"/>`;
    s += `<text class="val" x="${r1(labelW + barW + 6)}" y="${r1(y + rowH / 2)}" dominant-baseline="central">${esc(vl)}</text></g>`;
    y += rowH;
  });
  return s + '</svg>';
}

export interface FunnelBar {
  label: string;
  /** Primary quantity (documents); bars are scaled to the first row's value. */
  value?: number;
  /** Secondary quantity (bytes), drawn as a thin bar under the primary one, scaled to its first row. */
  value2?: number;
  /** Text at the right of the row. */
  detail: string;
}

/** A funnel: one row per step, the bar's length relative to the first step, with the retained share. */
export function funnelChart(rows: FunnelBar[], o: { title: string; color: string; width?: number }): string {
  const width = o.width ?? 640;
  const labelW = Math.min(150, Math.max(80, Math.max(...rows.map((r) => textWidth(r.label))) + 14));
  const detailW = Math.min(260, Math.max(120, Math.max(...rows.map((r) => textWidth(r.detail))) + 10));
  const pctW = 52;
  const barW = width - labelW - pctW - detailW;
  const rowH = 30;
  const height = rows.length * rowH + 6;
  const base = rows.find((r) => r.value !== undefined && r.value > 0)?.value;
  const base2 = rows.find((r) => r.value2 !== undefined && r.value2 > 0)?.value2;
  let s = svgOpen(width, height, o.title, 'funnel');
  rows.forEach((r, i) => {
    const y = 3 + i * rowH;
    const f = base && r.value !== undefined ? r.value / base : undefined;
    const f2 = base2 && r.value2 !== undefined ? r.value2 / base2 : undefined;
    s += `<g class="row"><title>${esc(`${r.label}: ${r.detail}`)}</title>`;
    s += `<text class="lbl" x="${r1(labelW - 10)}" y="${r1(y + 11)}" text-anchor="end" dominant-baseline="central">${esc(clip(r.label, labelW - 14))}</text>`;
    s += `<rect class="track" x="${labelW}" y="${y + 4}" width="${r1(barW)}" height="14" rx="2"/>`;
    if (f !== undefined) s += `<rect class="bar" x="${labelW}" y="${y + 4}" width="${r1(Math.max(f > 0 ? 1.5 : 0, Math.min(1, f) * barW))}" height="14" rx="2" fill="${esc(o.color)}"/>`;
    if (f2 !== undefined) s += `<rect class="bar2" x="${labelW}" y="${y + 21}" width="${r1(Math.max(f2 > 0 ? 1.5 : 0, Math.min(1, f2) * barW))}" height="4" rx="1"/>`;
    s += `<text class="pct" x="${r1(labelW + barW + pctW - 6)}" y="${r1(y + 11)}" text-anchor="end" dominant-baseline="central">${f === undefined ? '' : esc(fmtShare(f))}</text>`;
    s += `<text class="val" x="${r1(labelW + barW + pctW + 4)}" y="${r1(y + 11)}" dominant-baseline="central">${esc(clip(r.detail, detailW - 6))}</text></g>`;
  });
  return s + '</svg>';
}

function fmtShare(f: number): string {
  if (f >= 0.995 || f === 0) return `${Math.round(f * 100)}%`;
  return f < 0.1 ? `${(f * 100).toFixed(1)}%` : `${Math.round(f * 100)}%`;
}

export interface HistSeries {
  name: string;
  counts: number[];
  color: string;
  /** 'back' bars fill the bin; 'front' bars are narrower and drawn on top. */
  kind: 'back' | 'front';
}

export interface HistogramOptions {
  title: string;
  /** One label per bin. */
  bins: string[];
  series: HistSeries[];
  xLabel: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Logarithmic count axis (for heavy-tailed counts such as cluster sizes). */
  log?: boolean;
  /** Widest a bin may be; with few bins the chart gets narrower instead of drawing slabs. */
  maxBinWidth?: number;
}

/** Vertical bars over categorical bins; several series overlaid (e.g. before and after filtering). */
export function histogramChart(o: HistogramOptions): string {
  const height = o.height ?? 200;
  const left = 46;
  const right = 8;
  const top = 10;
  const bottom = 36;
  const n = Math.max(1, o.bins.length);
  const bw = Math.min(((o.width ?? 420) - left - right) / n, o.maxBinWidth ?? Infinity);
  const plotW = bw * n;
  const width = r1(Math.max(left + plotW + right, left + textWidth(o.xLabel, 11) + right));
  const plotH = height - top - bottom;
  const max = Math.max(0, ...o.series.flatMap((s) => s.counts));
  let ticks: number[];
  let y: (v: number) => number;
  if (o.log) {
    const decades = Math.max(1, Math.ceil(Math.log10(Math.max(1, max)) + 1e-9));
    ticks = Array.from({ length: decades + 1 }, (_, i) => 10 ** i);
    const lo = Math.log10(0.5);
    const hi = decades;
    y = (v) => top + plotH - (v > 0 ? ((Math.log10(v) - lo) / (hi - lo)) * plotH : 0);
  } else {
    ticks = niceTicks(max);
    const hi = ticks[ticks.length - 1]!;
    y = (v) => top + plotH - (hi > 0 ? (v / hi) * plotH : 0);
  }
  let s = svgOpen(width, height, o.title, 'hist');
  for (const t of ticks) {
    const ty = r1(y(t));
    s += `<line class="grid" x1="${left}" x2="${r1(left + plotW)}" y1="${ty}" y2="${ty}"/>`;
    s += `<text class="tick" x="${left - 5}" y="${ty}" text-anchor="end" dominant-baseline="central">${esc(fmtCompact(t))}</text>`;
  }
  for (const series of o.series) {
    const inset = series.kind === 'back' ? Math.min(1, bw * 0.08) : bw * 0.22;
    series.counts.forEach((c, i) => {
      if (!(c > 0)) return;
      const x = left + i * bw + inset;
      const top0 = y(c);
      const h = Math.max(1, top + plotH - top0);
      s += `<rect class="${series.kind}" x="${r1(x)}" y="${r1(top + plotH - h)}" width="${r1(Math.max(0.8, bw - 2 * inset))}" height="${r1(h)}" fill="${esc(series.color)}"><title>${esc(`${series.name}, ${o.bins[i] ?? ''}: ${fmtCompact(c)}`)}</title></rect>`;
    });
  }
  s += `<line class="axis" x1="${left}" x2="${r1(left + plotW)}" y1="${top + plotH}" y2="${top + plotH}"/>`;
  const labelEvery = Math.max(1, Math.ceil((Math.max(...o.bins.map((b) => textWidth(b, 10))) + 6) / bw));
  o.bins.forEach((b, i) => {
    if (i % labelEvery) return;
    s += `<text class="tick" x="${r1(left + i * bw + bw / 2)}" y="${top + plotH + 12}" text-anchor="middle">${esc(b)}</text>`;
  });
  s += `<text class="axis-title" x="${r1(left + plotW / 2)}" y="${height - 4}" text-anchor="middle">${esc(o.xLabel)}</text>`;
  if (o.yLabel) s += `<text class="axis-title" x="10" y="${r1(top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 10 ${r1(top + plotH / 2)})">${esc(o.yLabel)}</text>`;
  return s + '</svg>';
}

export interface BulletRow {
  label: string;
  /** Achieved share, 0..1. */
  value: number;
  /** Target share, 0..1, drawn as a tick. */
  target?: number;
  color: string;
  detail: string;
}

/** Achieved value as a bar, the target as a dark tick across it; a shared percentage axis underneath. */
export function bulletChart(rows: BulletRow[], o: { title: string; width?: number }): string {
  const width = o.width ?? 640;
  const labelW = Math.min(160, Math.max(70, Math.max(...rows.map((r) => textWidth(r.label))) + 12));
  const detailW = Math.min(280, Math.max(120, Math.max(...rows.map((r) => textWidth(r.detail))) + 10));
  const barW = width - labelW - detailW - 10;
  const rowH = 26;
  const max = Math.max(0.01, ...rows.map((r) => Math.max(r.value, r.target ?? 0)));
  const ticks = niceTicks(max * 1.05, 5);
  const hi = ticks[ticks.length - 1]!;
  const x = (v: number) => labelW + (v / hi) * barW;
  const height = rows.length * rowH + 24;
  let s = svgOpen(width, height, o.title, 'bullet');
  for (const t of ticks) {
    s += `<line class="grid" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="2" y2="${rows.length * rowH + 4}"/>`;
    s += `<text class="tick" x="${r1(x(t))}" y="${rows.length * rowH + 16}" text-anchor="middle">${esc(`${Number((t * 100).toPrecision(6))}%`)}</text>`;
  }
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    s += `<g class="row"><title>${esc(`${r.label}: ${r.detail}`)}</title>`;
    s += `<text class="lbl" x="${r1(labelW - 8)}" y="${r1(y + rowH / 2 - 2)}" text-anchor="end" dominant-baseline="central">${esc(clip(r.label, labelW - 12))}</text>`;
    s += `<rect class="bar" x="${labelW}" y="${y + 4}" width="${r1(Math.max(r.value > 0 ? 1.5 : 0, x(r.value) - labelW))}" height="${rowH - 12}" rx="2" fill="${esc(r.color)}"/>`;
    if (r.target !== undefined) s += `<rect class="target" x="${r1(x(r.target) - 1.5)}" y="${y}" width="3" height="${rowH - 4}"/>`;
    s += `<text class="val" x="${r1(width - detailW + 4)}" y="${r1(y + rowH / 2 - 2)}" dominant-baseline="central">${esc(clip(r.detail, detailW - 6))}</text></g>`;
  });
  return s + '</svg>';
}

export interface StackRow {
  label: string;
  parts: { name: string; value: number; color: string }[];
}

/** 100% stacked bars (one per row), segments labelled with their name when wide enough. */
export function stackedShareChart(rows: StackRow[], o: { title: string; width?: number }): string {
  const width = o.width ?? 640;
  const labelW = Math.min(120, Math.max(60, Math.max(...rows.map((r) => textWidth(r.label))) + 12));
  const barW = width - labelW - 4;
  const rowH = 30;
  const height = rows.length * rowH + 4;
  let s = svgOpen(width, height, o.title, 'stack');
  rows.forEach((r, i) => {
    const y = 2 + i * rowH;
    const total = r.parts.reduce((a, p) => a + Math.max(0, p.value), 0);
    s += `<text class="lbl" x="${r1(labelW - 8)}" y="${r1(y + 12)}" text-anchor="end" dominant-baseline="central">${esc(clip(r.label, labelW - 12))}</text>`;
    let x = labelW;
    for (const p of r.parts) {
      if (!(p.value > 0) || !(total > 0)) continue;
      const w = (p.value / total) * barW;
      s += `<rect class="seg" x="${r1(x)}" y="${y + 2}" width="${r1(w)}" height="20" fill="${esc(p.color)}"><title>${esc(`${r.label} - ${p.name}: ${(100 * p.value / total).toFixed(1)}%`)}</title></rect>`;
      const text = `${p.name} ${Math.round((100 * p.value) / total)}%`;
      if (textWidth(text, 11) + 8 < w) s += `<text class="seg-lbl" x="${r1(x + 5)}" y="${y + 12}" dominant-baseline="central">${esc(text)}</text>`;
      x += w;
    }
  });
  return s + '</svg>';
}
