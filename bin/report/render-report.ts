/**
 * report.json -> report.html: the build report a person reads. Each section shows what report.json
 * holds and says plainly what is missing (a step that has not run yet), so a partial build still
 * renders. Deterministic: the same report renders to the same bytes.
 */
import { esc } from './html-escape.js';
import { fmtBytes, fmtCompact, fmtInt, fmtNum, fmtPct } from './format.js';
import { BEFORE_COLOR, emptyNote, ERROR_COLOR, legend, NEUTRAL_COLOR, renderPage, subsetColor, type PageSection } from './report-page.js';
import { type DocSample, type Histogram, type ReportModel, reportModel, type SubsetModel } from './report-model.js';
import { barChart, type BarRow, bulletChart, funnelChart, histogramChart, stackedShareChart } from './svg-charts.js';

/** Anything shaped like report.json: the build's BuildReport, a ReportJson, or parsed JSON of any shape. */
export type ReportInput = object;

const STEP_LABELS: Record<string, string> = {
  read: 'read',
  filters: 'quality filters',
  'dedup-exact': 'exact dedup',
  'dedup-near': 'near dedup',
  decontaminate: 'decontamination',
  tokens: 'tokenized',
};

const HIST_TITLES: Record<string, { title: string; x: string; fmt: (edge: number) => string }> = {
  doc_words: { title: 'Document length', x: 'words per document (log2 bins, lower edge)', fmt: (e) => fmtCompact(e) },
  mean_word_length: { title: 'Mean word length', x: 'mean characters per word', fmt: (e) => fmtNum(e, 1) },
};

/** Renders the build report page from report.json. Never throws on a partial or odd-shaped report. */
export function renderReportHtml(report: ReportInput): string {
  const m = reportModel(report);
  const sections: PageSection[] = [
    funnelSection(m),
    dropsSection(m),
    histogramSection(m),
    minhashSection(m),
    mixtureSection(m),
    tokenizerSection(m),
    stepsSection(m),
    samplesSection(m),
  ];
  return renderPage({
    title: 'massivetext build report',
    subtitle: m.recipe !== undefined ? `recipe <b>${esc(m.recipe)}</b>` : 'recipe not named',
    tiles: summaryTiles(m),
    sections,
  });
}

function first<T>(xs: T[], f: (x: T) => number | undefined): number | undefined {
  for (const x of xs) {
    const v = f(x);
    if (v !== undefined) return v;
  }
  return undefined;
}

function last<T>(xs: T[], f: (x: T) => number | undefined): number | undefined {
  return first([...xs].reverse(), f);
}

function sumDefined(values: (number | undefined)[]): number | undefined {
  const d = values.filter((v): v is number => v !== undefined);
  return d.length ? d.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Documents a subset's sources saw: its funnel's first count, or kept + dropped when the drops include
 * documents skipped before that count (a reader dropping redirects, say), whichever is larger.
 */
function seenDocs(m: ReportModel, s: SubsetModel): number | undefined {
  const read = first(s.funnel, (f) => f.docs);
  const kept = last(s.funnel, (f) => f.docs);
  const dropped = m.drops.find((d) => d.subset === s.name)?.reasons.reduce((a, [, n]) => a + n, 0);
  if (kept !== undefined && dropped !== undefined) return Math.max(read ?? 0, kept + dropped);
  return read;
}

function summaryTiles(m: ReportModel): { label: string; value: string; note?: string }[] {
  const tiles: { label: string; value: string; note?: string }[] = [];
  const docsIn = sumDefined(m.subsets.map((s) => seenDocs(m, s)));
  const docsOut = sumDefined(m.subsets.map((s) => last(s.funnel, (f) => f.docs)));
  if (docsIn !== undefined && docsOut !== undefined) tiles.push({ label: 'Documents kept', value: fmtCompact(docsOut), note: `of ${fmtCompact(docsIn)} seen (${fmtPct(docsIn ? docsOut / docsIn : 0)})` });
  const bytesIn = sumDefined(m.subsets.map((s) => first(s.funnel, (f) => f.bytes)));
  const bytesOut = sumDefined(m.subsets.map((s) => last(s.funnel, (f) => f.bytes)));
  if (bytesIn !== undefined && bytesOut !== undefined) tiles.push({ label: 'Text kept', value: fmtBytes(bytesOut), note: `of ${fmtBytes(bytesIn)} read (${fmtPct(bytesIn ? bytesOut / bytesIn : 0)})` });
  const tokens = sumDefined(m.subsets.map((s) => s.tokens));
  if (tokens !== undefined) tiles.push({ label: 'Tokens', value: fmtCompact(tokens), note: `${m.subsets.filter((s) => s.tokens !== undefined).length} subset(s)` });
  if (m.subsets.length) tiles.push({ label: 'Subsets', value: String(m.subsets.length), note: m.subsets.map((s) => s.name).join(', ') });
  if (m.tokenizer?.vocabSize !== undefined) tiles.push({ label: 'Vocabulary', value: fmtInt(m.tokenizer.vocabSize), note: m.tokenizer.modelType ?? '' });
  const units = m.steps.reduce((a, s) => a + (s.units ?? 0), 0);
  tiles.push({ label: 'Steps', value: String(m.steps.length), note: `${fmtInt(units)} unit(s) done` });
  const errors = m.steps.reduce((a, s) => a + s.stages.reduce((b, st) => b + sumPrefix(st.counters, 'error:'), 0), 0);
  if (errors) tiles.push({ label: 'Bad records', value: fmtInt(errors), note: 'skipped; see Steps' });
  return tiles;
}

function sumPrefix(c: Record<string, number>, prefix: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(c)) if (k.startsWith(prefix)) n += v;
  return n;
}

function subsetHeading(name: string, aside = ''): string {
  return `<h3><span class="dot" style="background:${esc(subsetColor(name))}"></span>${esc(name)}${aside ? ` <span class="aside">${esc(aside)}</span>` : ''}</h3>`;
}

function funnelDetail(f: { docs?: number; bytes?: number; tokens?: number }): string {
  const parts: string[] = [];
  if (f.docs !== undefined) parts.push(`${fmtCompact(f.docs)} docs`);
  if (f.bytes !== undefined) parts.push(fmtBytes(f.bytes));
  if (f.tokens !== undefined) parts.push(`${fmtCompact(f.tokens)} tokens`);
  return parts.join(' · ') || '–';
}

function funnelSection(m: ReportModel): PageSection {
  const base = { id: 'funnel', title: 'Funnel', lead: 'Documents (thick bar) and bytes (thin bar) left after each step, relative to what was read; the percentage is the share of documents retained.' };
  const subs = m.subsets.filter((s) => s.funnel.length);
  if (!subs.length) return { ...base, body: emptyNote('No per-subset funnel in this report yet: it appears once the ingest and filter steps record their subset counts. The per-stage counters are under Steps.') };
  const cards = subs.map((s) => {
    const read = first(s.funnel, (f) => f.docs);
    const seen = seenDocs(m, s);
    const kept = last(s.funnel, (f) => f.docs);
    const aside = seen !== undefined && kept !== undefined && seen > 0 ? `${fmtPct(kept / seen)} of ${fmtInt(seen)} documents kept` : '';
    const before = seen !== undefined && read !== undefined && seen > read
      ? `<p class="muted small">${esc(fmtInt(seen - read))} more document(s) were dropped while reading, before the first count (see Drop reasons).</p>` : '';
    const chart = funnelChart(
      s.funnel.map((f) => {
        const row: { label: string; detail: string; value?: number; value2?: number } = { label: STEP_LABELS[f.step] ?? f.step, detail: funnelDetail(f) };
        if (f.docs !== undefined) row.value = f.docs;
        if (f.bytes !== undefined) row.value2 = f.bytes;
        return row;
      }),
      { title: `Funnel for ${s.name}: documents and bytes after each step`, color: subsetColor(s.name) },
    );
    return `<div class="card">${subsetHeading(s.name, aside)}${chart}${before}</div>`;
  });
  const steps = [...new Set(subs.flatMap((s) => s.funnel.map((f) => f.step)))];
  const head = `<tr><th>subset</th>${steps.map((st) => `<th class="num">${esc(STEP_LABELS[st] ?? st)}</th>`).join('')}</tr>`;
  const rows = subs
    .map((s) => `<tr><td>${esc(s.name)}</td>${steps.map((st) => {
      const f = s.funnel.find((x) => x.step === st);
      return `<td class="num">${f ? esc(funnelDetail(f)) : '<span class="muted">–</span>'}</td>`;
    }).join('')}</tr>`)
    .join('');
  return {
    ...base,
    body: `${legend([{ label: 'documents', color: NEUTRAL_COLOR }, { label: 'bytes', color: 'var(--bar2)', kind: 'thin' }])}<div class="cards">${cards.join('')}</div><h4>All subsets</h4><div class="table-wrap"><table>${head}${rows}</table></div>`,
  };
}

interface ReasonRow {
  stage: string;
  reason: string;
  n: number;
  input?: number;
  error: boolean;
}

function reasonRows(st: { name: string; counters: Record<string, number> }): ReasonRow[] {
  const input = st.counters.in;
  return Object.entries(st.counters)
    .filter(([k, v]) => (k.startsWith('dropped:') || k.startsWith('error:')) && v > 0)
    .map(([k, v]) => {
      const row: ReasonRow = { stage: st.name, reason: k.startsWith('dropped:') ? k.slice(8) : k, n: v, error: k.startsWith('error:') };
      if (input !== undefined) row.input = input;
      return row;
    })
    .sort((a, b) => b.n - a.n || a.reason.localeCompare(b.reason));
}

/**
 * Reasons written as `<filter>:<reason>` (one stage running several filters) are grouped under their
 * filter, groups by their total, largest first; plain reasons stay one flat list.
 */
export function groupReasons<T extends { reason: string; n: number }>(rows: T[]): (T & { group?: string; label: string })[] {
  const split = rows.map((r): T & { group?: string; label: string } => {
    const i = r.reason.indexOf(':');
    return i > 0 ? { ...r, group: r.reason.slice(0, i), label: r.reason.slice(i + 1) } : { ...r, label: r.reason };
  });
  const groups = new Set(split.map((r) => r.group));
  if (groups.size < 2 && !split.every((r) => r.group !== undefined)) return rows.map((r) => ({ ...r, label: r.reason }));
  const total = new Map<string | undefined, number>();
  for (const r of split) total.set(r.group, (total.get(r.group) ?? 0) + r.n);
  return split.sort((a, b) => total.get(b.group)! - total.get(a.group)! || String(a.group).localeCompare(String(b.group)) || b.n - a.n || a.label.localeCompare(b.label));
}

const reasonValue = (r: ReasonRow) => (r.input ? `${fmtCompact(r.n)} (${fmtPct(r.n / r.input)})` : fmtCompact(r.n));

function withGroup(row: BarRow, group: string | undefined): BarRow {
  if (group !== undefined) row.group = group;
  return row;
}

function stageFacts(c: Record<string, number>): string {
  if (c.in === undefined) return '';
  return `<div class="facts"><span>in <b>${esc(fmtInt(c.in))}</b></span>${c.kept !== undefined ? `<span>kept <b>${esc(fmtInt(c.kept))}</b></span>` : ''}<span>dropped <b>${esc(fmtInt(sumPrefix(c, 'dropped:')))}</b></span></div>`;
}

/**
 * Drop-reason cards per step: a stage with several reasons (a filter) gets its own card; the stages of a
 * step that each drop for one reason (dedup per subset, say) share one card with a bar per stage.
 */
function stepDropCards(step: ReportModel['steps'][number]): string[] {
  const cards: string[] = [];
  const single: ReasonRow[] = [];
  for (const st of step.stages) {
    const rows = reasonRows(st);
    if (!rows.length) continue;
    if (rows.length === 1) {
      single.push(rows[0]!);
      continue;
    }
    const chart = barChart(groupReasons(rows).map((r) => withGroup({ label: r.label, value: r.n, color: r.error ? ERROR_COLOR : NEUTRAL_COLOR, valueLabel: reasonValue(r) }, r.group)), { title: `Drop reasons of ${step.name} / ${st.name}`, width: 560 });
    cards.push(`<div class="card"><h3>${esc(st.name)} <span class="aside">step ${esc(step.name)}</span></h3>${stageFacts(st.counters)}${chart}</div>`);
  }
  if (single.length) {
    const reasons = [...new Set(single.map((r) => r.reason))];
    const chart = barChart(
      single.map((r) => ({ label: reasons.length === 1 ? r.stage : `${r.stage}: ${r.reason}`, value: r.n, color: r.error ? ERROR_COLOR : NEUTRAL_COLOR, valueLabel: reasonValue(r), tooltip: `${r.stage}: ${r.reason} ${reasonValue(r)}` })),
      { title: `Drop reasons of step ${step.name}`, width: 560 },
    );
    const aside = reasons.length === 1 ? `<span class="reason">${esc(reasons[0]!)}</span>` : '';
    cards.push(`<div class="card"><h3>${esc(step.name)} ${aside}</h3>${chart}</div>`);
  }
  return cards;
}

function dropsSection(m: ReportModel): PageSection {
  const base = { id: 'drops', title: 'Drop reasons', lead: 'Why documents were removed: per filter and step (percent of the documents that entered it), and per subset over the whole build (percent of the documents its sources yielded). Bad records, counted and skipped, are in red.' };
  const perStage = m.steps.flatMap(stepDropCards);
  const perSubset = m.drops.map((d) => {
    const s = m.subsets.find((x) => x.name === d.subset);
    const read = s ? seenDocs(m, s) : undefined;
    const total = d.reasons.reduce((a, [, n]) => a + n, 0);
    const chart = barChart(
      groupReasons(d.reasons.map(([reason, n]) => ({ reason, n }))).map((r) => withGroup({ label: r.label, value: r.n, color: subsetColor(d.subset), valueLabel: read ? `${fmtCompact(r.n)} (${fmtPct(r.n / read)})` : fmtCompact(r.n) }, r.group)),
      { title: `Drop reasons for ${d.subset}`, width: 560 },
    );
    return `<div class="card">${subsetHeading(d.subset, `${fmtInt(total)} dropped${read ? ` of ${fmtInt(read)} seen` : ''}`)}${chart}</div>`;
  });
  if (!perStage.length && !perSubset.length) return { ...base, body: emptyNote('No document was dropped by any step recorded in this report (or the filter steps have not run yet).') };
  let body = '';
  body += perStage.length ? `<h4>Per filter and step</h4><div class="cards">${perStage.join('')}</div>` : '';
  body += perSubset.length ? `<h4>Per subset</h4><div class="cards">${perSubset.join('')}</div>` : '';
  return { ...base, body };
}

/**
 * The bins to draw for a set of lower edges: the empty bins between them filled in, so the x axis is
 * even. Powers of two (the word-count bins) continue as powers of two; other edges by their smallest gap.
 */
export function contiguousEdges(edges: number[]): number[] {
  const sorted = [...new Set(edges)].sort((x, y) => x - y);
  if (sorted.length < 2) return sorted;
  const pow2 = sorted.every((e) => e === 0 || (e >= 1 && Number.isInteger(Math.log2(e))));
  if (pow2) {
    const out = sorted[0] === 0 ? [0] : [];
    const lo = sorted.find((e) => e > 0);
    if (lo === undefined) return out;
    for (let e = lo; e <= sorted[sorted.length - 1]!; e *= 2) out.push(e);
    return out;
  }
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) step = Math.min(step, sorted[i]! - sorted[i - 1]!);
  const n = Math.round((sorted[sorted.length - 1]! - sorted[0]!) / step);
  if (!(step > 0) || n > 200 || sorted.some((e) => Math.abs((e - sorted[0]!) / step - Math.round((e - sorted[0]!) / step)) > 1e-6)) return sorted;
  return Array.from({ length: n + 1 }, (_, i) => Number((sorted[0]! + i * step).toPrecision(12)));
}

/** Merges two histograms onto the union of their bins (lower edges), empty bins filled in. */
export function alignHistograms(a: Histogram | undefined, b: Histogram | undefined): { edges: number[]; a: number[]; b: number[] } {
  const edges = contiguousEdges([...(a?.edges ?? []), ...(b?.edges ?? [])]);
  const pick = (h: Histogram | undefined) => edges.map((e) => {
    if (!h) return 0;
    let n = 0;
    h.edges.forEach((x, i) => { if (Math.abs(x - e) < 1e-9) n += h.counts[i] ?? 0; });
    return n;
  });
  return { edges, a: pick(a), b: pick(b) };
}

function histogramPairs(s: SubsetModel): { base: string; before?: Histogram; after?: Histogram }[] {
  const bases = new Set<string>();
  for (const name of Object.keys(s.histograms)) bases.add(name.replace(/_(before|after)$/, ''));
  const order = [...bases].sort((x, y) => (HIST_TITLES[x] ? 0 : 1) - (HIST_TITLES[y] ? 0 : 1) || x.localeCompare(y));
  return order.map((b) => {
    const p: { base: string; before?: Histogram; after?: Histogram } = { base: b };
    const before = s.histograms[`${b}_before`];
    const after = s.histograms[`${b}_after`] ?? s.histograms[b];
    if (before) p.before = before;
    if (after) p.after = after;
    return p;
  });
}

function histogramSection(m: ReportModel): PageSection {
  const base = { id: 'histograms', title: 'Length and word-length distributions', lead: 'Per subset, documents per bin before filtering (grey) and after (colour). The Gopher quality filter keeps documents of 50 to 100,000 words with a mean word length of 3 to 10 characters.' };
  const subs = m.subsets.filter((s) => Object.keys(s.histograms).length);
  if (!subs.length) return { ...base, body: emptyNote('No histograms in this report yet: the filter step records them per subset once it runs.') };
  const cards = subs.map((s) => {
    const charts = histogramPairs(s).map((p) => {
      const meta = HIST_TITLES[p.base] ?? { title: p.base.replace(/_/g, ' '), x: p.base.replace(/_/g, ' '), fmt: (e: number) => fmtNum(e, 2) };
      const al = alignHistograms(p.before, p.after);
      const series = [];
      if (p.before) series.push({ name: 'before filtering', counts: al.a, color: BEFORE_COLOR, kind: 'back' as const });
      if (p.after) series.push({ name: 'after filtering', counts: al.b, color: subsetColor(s.name), kind: 'front' as const });
      const chart = histogramChart({ title: `${meta.title} for ${s.name}`, bins: al.edges.map(meta.fmt), series, xLabel: meta.x, yLabel: 'documents', width: 540, height: 220, maxBinWidth: 56 });
      return `<div><p class="cap">${esc(meta.title)}</p>${chart}</div>`;
    });
    return `<div class="card">${subsetHeading(s.name)}<div class="pair">${charts.join('')}</div></div>`;
  });
  return { ...base, body: `${legend([{ label: 'before filtering', color: BEFORE_COLOR }, { label: 'after filtering (subset colour)', color: NEUTRAL_COLOR }])}<div class="cards wide">${cards.join('')}</div>` };
}

/** Cluster sizes bucketed for display: exact sizes when few, else powers of two (3-4, 5-8, ...). */
export function clusterSizeBins(sizes: [number, number][]): { label: string; count: number }[] {
  if (sizes.length <= 12) return sizes.map(([k, n]) => ({ label: String(k), count: n }));
  const bins = new Map<number, number>();
  for (const [k, n] of sizes) {
    const hi = k <= 2 ? k : 2 ** Math.ceil(Math.log2(k));
    bins.set(hi, (bins.get(hi) ?? 0) + n);
  }
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([hi, n]) => ({ label: hi <= 2 ? String(hi) : `${hi / 2 + 1}-${hi}`, count: n }));
}

function minhashSection(m: ReportModel): PageSection {
  const base = { id: 'minhash', title: 'Near duplicates (MinHash)', lead: 'Clusters of near-duplicate documents found by MinHash LSH, by cluster size (documents per cluster; logarithmic count axis). One document of each cluster is kept.' };
  if (!m.minhash.length) return { ...base, body: emptyNote('No MinHash results in this report yet: the near-dedup step records its clusters once it runs.') };
  const none = m.minhash.filter((x) => !x.sizes.length && !x.clusters && !x.duplicates).map((x) => x.subset);
  const cards = m.minhash.filter((x) => !none.includes(x.subset)).map((x) => {
    const facts = `<div class="facts">${x.clusters !== undefined ? `<span>clusters <b>${esc(fmtInt(x.clusters))}</b></span>` : ''}${x.duplicates !== undefined ? `<span>duplicates removed <b>${esc(fmtInt(x.duplicates))}</b></span>` : ''}${x.sizes.length ? `<span>largest cluster <b>${esc(fmtInt(x.sizes[x.sizes.length - 1]![0]))}</b></span>` : ''}</div>`;
    if (!x.sizes.length) return `<div class="card">${subsetHeading(x.subset)}${facts}<p class="muted">No near-duplicate clusters.</p></div>`;
    const bins = clusterSizeBins(x.sizes);
    const chart = histogramChart({ title: `MinHash cluster sizes for ${x.subset}`, bins: bins.map((b) => b.label), series: [{ name: 'clusters', counts: bins.map((b) => b.count), color: subsetColor(x.subset), kind: 'front' }], xLabel: 'documents per cluster', yLabel: 'clusters', log: true, width: 360, height: 180, maxBinWidth: 44 });
    return `<div class="card">${subsetHeading(x.subset)}${facts}${chart}</div>`;
  });
  const noneNote = none.length ? `<p class="muted">No near-duplicate clusters in ${esc(none.join(', '))}.</p>` : '';
  return { ...base, body: `${cards.length ? `<div class="cards narrow">${cards.join('')}</div>` : ''}${noneNote}` };
}

function mixtureSection(m: ReportModel): PageSection {
  const base = { id: 'mixture', title: 'Tokens against the mixture', lead: 'Each subset\'s share of all tokens (bar) against its target weight in the mixture (dark tick). massivetext sample draws training data by the target weights, repeating small subsets for more than one epoch where needed.' };
  const subs = m.subsets.filter((s) => s.tokens !== undefined || s.mixtureTarget !== undefined);
  const total = m.subsets.reduce((a, s) => a + (s.tokens ?? 0), 0);
  if (!subs.length || !(total > 0)) return { ...base, body: emptyNote('No token counts in this report yet: they appear once the tokens step has encoded the subsets.') };
  const targetSum = subs.reduce((a, s) => a + (s.mixtureTarget ?? 0), 0);
  const stacks = [{ label: 'tokens', parts: subs.map((s) => ({ name: s.name, value: s.tokens ?? 0, color: subsetColor(s.name) })) }];
  if (targetSum > 0) stacks.unshift({ label: 'target', parts: subs.map((s) => ({ name: s.name, value: s.mixtureTarget ?? 0, color: subsetColor(s.name) })) });
  const bullet = bulletChart(
    subs.map((s) => {
      const share = (s.tokens ?? 0) / total;
      const row: { label: string; value: number; color: string; detail: string; target?: number } = {
        label: s.name, value: share, color: subsetColor(s.name),
        detail: `${fmtCompact(s.tokens ?? 0)} tokens · ${fmtPct(share)}${s.mixtureTarget !== undefined ? ` (target ${fmtPct(s.mixtureTarget, 0)})` : ''}`,
      };
      if (s.mixtureTarget !== undefined) row.target = s.mixtureTarget;
      return row;
    }),
    { title: 'Share of tokens per subset against the mixture target', width: 760 },
  );
  const stack = stackedShareChart(stacks, { title: 'Mixture: target weights and token shares', width: 760 });
  return { ...base, body: `<div class="card">${stack}<div style="height:12px"></div>${legend([{ label: 'share of tokens', color: NEUTRAL_COLOR }, { label: 'target weight', color: 'var(--target)', kind: 'tick' }])}${bullet}</div>` };
}

function tokenizerSection(m: ReportModel): PageSection {
  const base = { id: 'tokenizer', title: 'Tokenizer', lead: 'Bytes of UTF-8 text per token, per subset: higher means the vocabulary fits that subset\'s text better (English prose is typically around 4).' };
  const t = m.tokenizer;
  const bpt = t?.bytesPerToken.length ? t.bytesPerToken : m.subsets.filter((s) => s.bytesPerToken !== undefined).map((s) => [s.name, s.bytesPerToken!] as [string, number]);
  if (!t && !bpt.length) return { ...base, body: emptyNote('No tokenizer in this report yet: the tokenizer step trains it once the filtered documents are ready.') };
  const facts = t ? `<div class="facts">${t.vocabSize !== undefined ? `<span>vocabulary <b>${esc(fmtInt(t.vocabSize))}</b> pieces</span>` : ''}${t.modelType ? `<span>model <b>${esc(t.modelType)}</b></span>` : ''}${t.extra.map(([k, v]) => `<span>${esc(k.replace(/_/g, ' '))} <b>${esc(typeof v === 'number' ? fmtNum(v, 3) : v)}</b></span>`).join('')}</div>` : '';
  const chart = bpt.length
    ? barChart(bpt.map(([s, v]) => ({ label: s, value: v, color: subsetColor(s), valueLabel: `${fmtNum(v, 2)} bytes/token` })), { title: 'Bytes per token per subset', width: 640 })
    : emptyNote('No bytes/token figures yet: they appear once the subsets are encoded.');
  return { ...base, body: `<div class="card">${facts}${chart}</div>` };
}

function stepsSection(m: ReportModel): PageSection {
  const base = { id: 'steps', title: 'Steps', lead: 'Every stage of every step with its counters, summed over all units (and over tasks and resumed runs).' };
  if (!m.steps.length) return { ...base, body: emptyNote('No step has recorded stats yet.') };
  const head = '<tr><th>step</th><th class="num">units</th><th>stage</th><th class="num">in</th><th class="num">kept</th><th class="num">dropped</th><th class="num">errors</th><th class="num">bytes in</th><th class="num">bytes out</th></tr>';
  let rows = '';
  for (const step of m.steps) {
    const withCounters = step.stages.filter((st) => Object.keys(st.counters).length > 0);
    const stages = withCounters.length ? withCounters : [{ name: '', counters: {} as Record<string, number> }];
    stages.forEach((st, i) => {
      const c = st.counters;
      const errors = sumPrefix(c, 'error:');
      const errorCodes = Object.keys(c).filter((k) => k.startsWith('error:') && c[k]! > 0).map((k) => `${k.slice(6)} ${fmtInt(c[k]!)}`).join(', ');
      const cell = (v: number | undefined, f: (n: number) => string = fmtInt) => `<td class="num">${v === undefined ? '<span class="muted">–</span>' : esc(f(v))}</td>`;
      rows += `<tr${i === 0 ? ' class="step-first"' : ''}>${i === 0 ? `<td rowspan="${stages.length}"><b>${esc(step.name)}</b></td><td class="num" rowspan="${stages.length}">${step.units === undefined ? '–' : esc(fmtInt(step.units))}</td>` : ''}`
        + `<td><code>${esc(st.name)}</code></td>${cell(c.in)}${cell(c.kept)}${cell(sumPrefix(c, 'dropped:') || undefined)}`
        + `<td class="num${errors ? ' bad' : ''}"${errorCodes ? ` title="${esc(errorCodes)}"` : ''}>${errors ? esc(fmtInt(errors)) : '<span class="muted">0</span>'}</td>`
        + `${cell(c.bytes_in, fmtBytes)}${cell(c.bytes_out, fmtBytes)}</tr>`;
    });
  }
  const errors = m.steps.reduce((a, st) => a + st.stages.reduce((b, x) => b + sumPrefix(x.counters, 'error:'), 0), 0);
  const stages = m.steps.reduce((a, st) => a + st.stages.length, 0);
  const summary = `${m.steps.length} step(s), ${stages} stage(s)${errors ? `, ${fmtInt(errors)} bad record(s) skipped` : ''}; stages without counters are left out`;
  return { ...base, body: `<details class="doc table"${errors ? ' open' : ''}><summary><span class="id">${esc(summary)}</span></summary><div class="table-wrap"><table>${head}${rows}</table></div></details>` };
}

const MAX_SAMPLE_CHARS = 2000;

function docCard(d: DocSample, open: boolean): string {
  const body = d.text.replace(/^(?:[ \t]*\r?\n)+/, '');
  const text = body.length > MAX_SAMPLE_CHARS ? body.slice(0, MAX_SAMPLE_CHARS) + ' …' : body;
  const tag = d.subset ? `<span class="tag" style="background:${esc(subsetColor(d.subset))}">${esc(d.subset)}</span>` : '';
  const detail = d.detail ? `<div class="detail">${esc(d.detail)}</div>` : '';
  return `<details class="doc"${open ? ' open' : ''}><summary>${tag}<span class="id" title="${esc(d.id)}">${esc(d.id)}</span><span class="muted">${esc(fmtInt(d.text.length))} chars</span></summary>${detail}<pre>${esc(text)}</pre></details>`;
}

function samplesSection(m: ReportModel): PageSection {
  const base = { id: 'samples', title: 'Sample documents', lead: 'A few documents that were kept (per subset) and that were dropped (per reason), cut to their first characters. Click one to open it.' };
  const { kept, dropped } = m.samples;
  if (!kept.length && !dropped.length) return { ...base, body: emptyNote('No sample documents in this report yet.') };
  let body = '';
  if (kept.length) body += `<h4>Kept</h4><div class="docs">${kept.map((d, i) => docCard(d, i === 0)).join('')}</div>`;
  for (const [reason, docs] of dropped) body += `<h4>Dropped: <span class="reason">${esc(reason)}</span> <span class="muted">${docs.length} example(s)</span></h4><div class="docs">${docs.map((d) => docCard(d, false)).join('')}</div>`;
  return { ...base, body };
}
