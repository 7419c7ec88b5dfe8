/** The human-readable text of `massivetext inspect`: a few aligned tables, plain ASCII, no colour. */
import { fmtBytes, fmtInt, fmtNum, fmtPct } from './format.js';
import type { BuildInspection, Inspection, SampleInspection, TokensInspection } from './inspect-dir.js';

/** Aligns rows into columns: the first column and those in `left` left-aligned, the others (numbers) right-aligned. */
export function table(header: string[], rows: string[][], left: number[] = [], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => indent + r.map((c, i) => (i === 0 || left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const opt = (n: number | undefined, f: (x: number) => string = fmtInt) => (n === undefined ? '-' : f(n));

function formatBuild(b: BuildInspection): string {
  const out: string[] = [];
  const head = [b.recipe ? `recipe ${b.recipe}` : '', b.fingerprint ? `fingerprint ${b.fingerprint.slice(0, 12)}` : ''].filter(Boolean).join(', ');
  out.push(`build directory ${b.dir}${head ? ` (${head})` : ''}`);
  out.push(`inputs: ${fmtInt(b.inputs.files)} file(s), ${fmtBytes(b.inputs.bytes)}`);
  out.push('');
  if (b.steps.length) {
    out.push(table(['step', 'units', 'done', 'status'], b.steps.map((s) => [
      s.name, s.units === null ? '?' : fmtInt(s.units), fmtInt(s.done),
      s.complete ? 'complete' : s.units ? `${fmtPct(s.done / s.units, 0)} done` : s.done ? 'running' : 'not started',
    ]), [3]));
  } else {
    out.push('  no step has run yet');
  }
  out.push('');
  if (b.subsets.length) {
    const rows = b.subsets.map((s) => [s.name, opt(s.docsRead), opt(s.docs), opt(s.bytes, fmtBytes), opt(s.tokens), opt(s.tokenShards)]);
    const sum = (f: (s: (typeof b.subsets)[number]) => number | undefined) => {
      const v = b.subsets.map(f).filter((x): x is number => x !== undefined);
      return v.length ? v.reduce((a, x) => a + x, 0) : undefined;
    };
    if (b.subsets.length > 1) rows.push(['total', opt(sum((s) => s.docsRead)), opt(sum((s) => s.docs)), opt(sum((s) => s.bytes), fmtBytes), opt(sum((s) => s.tokens)), opt(sum((s) => s.tokenShards))]);
    out.push(table(['subset', 'docs read', 'docs kept', 'bytes kept', 'tokens', 'shards'], rows));
  } else {
    out.push('  no per-subset counts yet');
  }
  out.push('');
  if (b.tokenizer) {
    const t = b.tokenizer;
    out.push(`tokenizer: ${t.modelType ?? 'unknown type'}, ${t.vocabSize !== undefined ? `${fmtInt(t.vocabSize)} pieces` : 'vocabulary size unknown'}${t.model ? ` (${t.model})` : ''}`);
  } else {
    out.push('tokenizer: not trained yet');
  }
  if (b.sample) out.push(`sample: ${fmtInt(b.sample.tokens)} tokens, ${fmtInt(b.sample.documents)} documents, ${b.sample.subsets} subset(s) in ${b.sample.dir}/ (massivetext inspect ${b.dir}/${b.sample.dir})`);
  out.push(`report: ${[b.report.json ? 'report.json' : '', b.report.html ? 'report.html' : ''].filter(Boolean).join(', ') || 'none yet'}`);
  for (const n of b.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

function formatSample(s: SampleInspection): string {
  const out: string[] = [];
  out.push(`sample directory ${s.dir} (ratio ${fmtNum(s.ratio * 100, 3)}%, seed ${s.seed}, ${s.shardFormat} shards)`);
  out.push(`tokens: ${fmtInt(s.tokens)} drawn of ${fmtInt(s.targetTokens)} targeted, from ${fmtInt(s.inputTokens)} input tokens; ${fmtInt(s.documents)} documents`);
  out.push('');
  out.push(table(['subset', 'weight', 'tokens', 'share', 'documents', 'epochs', 'shards'], s.subsets.map((x) => [
    x.subset, fmtPct(x.weight), fmtInt(x.tokens), fmtPct(x.share), fmtInt(x.documents), fmtNum(x.epochs, 3), fmtInt(x.shards),
  ])));
  for (const n of s.notes) out.push(`note: ${n}`);
  if (s.report.html) out.push('report: report.html');
  return out.join('\n') + '\n';
}

function formatTokens(t: TokensInspection): string {
  return `token shards ${t.dir}${t.subset ? ` (subset ${t.subset})` : ''}\n`
    + `  ${fmtInt(t.tokens)} tokens, ${fmtInt(t.documents)} documents, ${t.shards} shard(s), ${fmtBytes(t.bytes)}; ${t.dtype}, vocabulary ${fmtInt(t.vocabSize)}${t.eosId !== null ? `, EOS id ${t.eosId}` : ''}\n`;
}

/** Renders an inspection as text for a terminal. */
export function formatInspection(i: Inspection): string {
  if (i.kind === 'build') return formatBuild(i);
  if (i.kind === 'sample') return formatSample(i);
  return formatTokens(i);
}
