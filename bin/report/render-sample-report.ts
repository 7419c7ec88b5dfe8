/**
 * The sample's manifest.json -> report.html: tokens drawn per subset against the mixture weights,
 * epochs per subset, and the files written. Same page shell and guarantees as the build report.
 */
import { esc } from './html-escape.js';
import { fmtBytes, fmtCompact, fmtInt, fmtNum, fmtPct } from './format.js';
import { emptyNote, ERROR_COLOR, legend, NEUTRAL_COLOR, renderPage, subsetColor, type PageSection } from './report-page.js';
import { orderSubsets } from './report-model.js';
import { barChart, bulletChart, stackedShareChart } from './svg-charts.js';

/** Anything shaped like a sample manifest: stages/sample's SampleManifest, or parsed JSON of any shape. */
export type SampleManifestInput = object;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

interface SubsetRow {
  name: string;
  weight?: number;
  requested?: number;
  targetTokens?: number;
  tokens?: number;
  documents?: number;
  sourceTokens?: number;
  sourceDocuments?: number;
  epochs?: number;
  fullEpochs?: number;
  shards?: number;
}

function weightsOf(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (num(x) !== undefined) out[k] = x as number;
  return out;
}

/** Renders the sample report from a sample manifest. Never throws on a partial or odd-shaped manifest. */
export function renderSampleReportHtml(manifest: SampleManifestInput): string {
  const m = (isObj(manifest) ? manifest : {}) as Record<string, unknown>;
  const weights = isObj(m.weights) ? m.weights : {};
  const used = weightsOf(weights.used);
  const requested = weightsOf(weights.requested);
  const subsetsRaw = isObj(m.subsets) ? m.subsets : {};
  const rows: SubsetRow[] = orderSubsets([...Object.keys(subsetsRaw), ...Object.keys(used)]).map((name) => {
    const s = isObj(subsetsRaw[name]) ? (subsetsRaw[name] as Record<string, unknown>) : {};
    const row: SubsetRow = { name };
    const set = <K extends keyof SubsetRow>(k: K, v: SubsetRow[K] | undefined) => { if (v !== undefined) row[k] = v; };
    set('weight', num(s.weight) ?? used[name]);
    set('requested', requested[name]);
    for (const k of ['targetTokens', 'tokens', 'documents', 'sourceTokens', 'sourceDocuments', 'epochs', 'fullEpochs', 'shards'] as const) set(k, num(s[k]));
    return row;
  });
  const drawn = rows.filter((r) => r.tokens !== undefined);
  const total = num(m.tokens) ?? drawn.reduce((a, r) => a + (r.tokens ?? 0), 0);
  const files = Array.isArray(m.files) ? m.files.filter(isObj) : [];
  const notes = Array.isArray(weights.notes) ? weights.notes.filter((n): n is string => typeof n === 'string') : [];

  const tiles: { label: string; value: string; note?: string }[] = [];
  if (num(m.tokens) !== undefined) tiles.push({ label: 'Tokens drawn', value: fmtCompact(num(m.tokens)!), note: num(m.targetTokens) !== undefined ? `target ${fmtCompact(num(m.targetTokens)!)}` : '' });
  if (num(m.documents) !== undefined) tiles.push({ label: 'Documents', value: fmtCompact(num(m.documents)!), note: 'drawn, counting repeats' });
  if (num(m.ratio) !== undefined) {
    const input = isObj(m.input) ? num(m.input.tokens) : undefined;
    tiles.push({ label: 'Ratio', value: fmtNum(num(m.ratio)! * 100, 2) + '%', note: input !== undefined ? `of ${fmtCompact(input)} input tokens` : '' });
  }
  if (num(m.seed) !== undefined) tiles.push({ label: 'Seed', value: String(num(m.seed)), note: typeof m.shardFormat === 'string' ? `${m.shardFormat} shards` : '' });
  if (num(m.vocabSize) !== undefined) tiles.push({ label: 'Vocabulary', value: fmtInt(num(m.vocabSize)!), note: num(m.eosId) !== undefined ? `EOS id ${num(m.eosId)}` : '' });
  if (files.length) tiles.push({ label: 'Files', value: String(files.length), note: fmtBytes(files.reduce((a, f) => a + (num(f.bytes) ?? 0), 0)) });

  const sections: PageSection[] = [mixture(rows, total, notes), epochs(rows), table(rows), filesSection(files)];
  const sub = [
    typeof m.fingerprint === 'string' ? `fingerprint <code>${esc(m.fingerprint.slice(0, 12))}</code>` : '',
    isObj(m.input) && typeof m.input.dir === 'string' ? `from <code>${esc(m.input.dir)}</code>` : '',
  ].filter(Boolean).join(' · ');
  return renderPage({ title: 'massivetext sample report', subtitle: sub || 'sample', tiles, sections });
}

function mixture(rows: SubsetRow[], total: number, notes: string[]): PageSection {
  const base = { id: 'mixture', title: 'Tokens against the mixture', lead: 'Each subset\'s share of the drawn tokens (bar) against the weight used (dark tick). Weights of absent subsets are shared out over the others (see the notes).' };
  const drawn = rows.filter((r) => r.tokens !== undefined);
  if (!drawn.length || !(total > 0)) return { ...base, body: emptyNote('This manifest records no drawn tokens.') };
  const stacks = [];
  if (rows.some((r) => r.requested !== undefined)) stacks.push({ label: 'requested', parts: rows.map((r) => ({ name: r.name, value: r.requested ?? 0, color: subsetColor(r.name) })) });
  if (rows.some((r) => r.weight !== undefined)) stacks.push({ label: 'used', parts: rows.map((r) => ({ name: r.name, value: r.weight ?? 0, color: subsetColor(r.name) })) });
  stacks.push({ label: 'drawn', parts: rows.map((r) => ({ name: r.name, value: r.tokens ?? 0, color: subsetColor(r.name) })) });
  const bullet = bulletChart(drawn.map((r) => {
    const share = (r.tokens ?? 0) / total;
    const row: { label: string; value: number; color: string; detail: string; target?: number } = {
      label: r.name, value: share, color: subsetColor(r.name),
      detail: `${fmtCompact(r.tokens ?? 0)} tokens · ${fmtPct(share)}${r.weight !== undefined ? ` (weight ${fmtPct(r.weight)})` : ''}`,
    };
    if (r.weight !== undefined) row.target = r.weight;
    return row;
  }), { title: 'Share of drawn tokens per subset against the weight used', width: 760 });
  const notesHtml = notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return { ...base, body: `<div class="card">${stackedShareChart(stacks, { title: 'Requested weights, used weights and drawn token shares', width: 760 })}<div style="height:12px"></div>${legend([{ label: 'share of drawn tokens', color: NEUTRAL_COLOR }, { label: 'weight used', color: 'var(--target)', kind: 'tick' }])}${bullet}${notesHtml}</div>` };
}

function epochs(rows: SubsetRow[]): PageSection {
  const base = { id: 'epochs', title: 'Epochs per subset', lead: 'How many times each subset\'s documents were used; a full track is one epoch. Below 1, a random part of the subset; above 1 (red), the subset was repeated to reach its weight.' };
  const withEpochs = rows.filter((r) => r.epochs !== undefined);
  if (!withEpochs.length) return { ...base, body: emptyNote('This manifest records no epochs.') };
  const chart = barChart(withEpochs.map((r) => ({
    label: r.name, value: r.epochs!, color: r.epochs! > 1 ? ERROR_COLOR : subsetColor(r.name),
    valueLabel: `${fmtNum(r.epochs!, 3)} epochs${r.documents !== undefined && r.sourceDocuments !== undefined ? ` (${fmtInt(r.documents)} of ${fmtInt(r.sourceDocuments)} docs)` : ''}`,
  })), { title: 'Epochs per subset', width: 760, max: Math.max(1, ...withEpochs.map((r) => r.epochs!)) });
  return { ...base, body: `<div class="card">${chart}</div>` };
}

function table(rows: SubsetRow[]): PageSection {
  const base = { id: 'subsets', title: 'Per subset', lead: 'Target and drawn tokens, documents and the source they were drawn from.' };
  if (!rows.length) return { ...base, body: emptyNote('This manifest lists no subsets.') };
  const c = (v: number | undefined, f: (n: number) => string = fmtInt) => `<td class="num">${v === undefined ? '<span class="muted">–</span>' : esc(f(v))}</td>`;
  const head = '<tr><th>subset</th><th class="num">weight</th><th class="num">target tokens</th><th class="num">tokens</th><th class="num">documents</th><th class="num">source tokens</th><th class="num">source docs</th><th class="num">full epochs</th><th class="num">epochs</th><th class="num">shards</th></tr>';
  const body = rows.map((r) => `<tr><td>${esc(r.name)}</td>${c(r.weight, (x) => fmtPct(x))}${c(r.targetTokens)}${c(r.tokens)}${c(r.documents)}${c(r.sourceTokens)}${c(r.sourceDocuments)}${c(r.fullEpochs)}${c(r.epochs, (x) => fmtNum(x, 3))}${c(r.shards)}</tr>`).join('');
  return { ...base, body: `<div class="table-wrap"><table>${head}${body}</table></div>` };
}

function filesSection(files: Record<string, unknown>[]): PageSection {
  const base = { id: 'files', title: 'Files', lead: 'Every file of the sample with its size and sha256 (as in manifest.json).' };
  if (!files.length) return { ...base, body: emptyNote('This manifest lists no files.') };
  const rows = files.map((f) => `<tr><td><code>${esc(String(f.path ?? ''))}</code></td><td class="num">${esc(fmtBytes(num(f.bytes) ?? NaN))}</td><td class="num">${num(f.tokens) === undefined ? '' : esc(fmtInt(num(f.tokens)!))}</td><td><code class="muted">${esc(String(f.sha256 ?? '').slice(0, 16))}</code></td></tr>`).join('');
  return { ...base, body: `<details class="doc"><summary><span class="id">${files.length} file(s)</span></summary><div class="table-wrap"><table><tr><th>path</th><th class="num">bytes</th><th class="num">tokens</th><th>sha256</th></tr>${rows}</table></div></details>` };
}
