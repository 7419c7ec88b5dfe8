/**
 * `npm run bench -- filters [--mb N] [--repeats R] [--no-reference]`
 *
 * Speed of each filter over >= 64 MB of real documents from the bench corpus (make-bench-corpus.sh): the
 * prose part (speeches, novels, the Brown Corpus, dictionaries, Linux/Python/Perl/Vim/Git docs...) and the
 * SpamAssassin mail, taken round-robin across their folders; files over 64 KB are cut at line ends into
 * ~16 KB documents (a dictionary is not one document). For each filter alone and for the default chain:
 * docs/s and MB/s (UTF-8 bytes of text) on one core, median of R runs; then the chain through
 * `applyFilters` on the worker pool with 1 and 2 workers (the speed-up). When a Python with datatrove is
 * found ($DATATROVE_PYTHON, default /tmp/dtenv/bin/python), datatrove's GopherQualityFilter and
 * GopherRepetitionFilter are timed on the same documents in the same run as the reference.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Document, WorkerPool } from '../pipeline/index.js';
import { applyFilters, buildFilters, defaultFilterSpecs, type FilterSpec } from '../filters/index.js';
import { benchCorpusDir, median } from './_util.js';

const PARTS = ['prose', 'email'];
const CHUNK = 16 << 10;
const SPLIT_OVER = 64 << 10;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function chunks(text: string): string[] {
  if (text.length <= SPLIT_OVER) return [text];
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + CHUNK);
    if (end < text.length) {
      const nl = text.indexOf('\n', end);
      end = nl < 0 ? text.length : nl + 1;
    }
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

/** Real documents, round-robin over the corpus folders, until `mb` MB of UTF-8 text. */
export async function benchDocuments(mb: number): Promise<{ docs: Document[]; bytes: number }> {
  const folders: string[][] = [];
  for (const part of PARTS) {
    const root = path.join(benchCorpusDir, part);
    if (!existsSync(root)) continue;
    for (const d of (await fs.readdir(root)).sort()) folders.push(await walk(path.join(root, d)));
  }
  if (!folders.length) throw new Error(`no bench corpus under ${benchCorpusDir}: run make-bench-corpus.sh`);
  const docs: Document[] = [];
  let bytes = 0;
  const limit = mb * 1e6;
  for (let round = 0; bytes < limit && folders.some((f) => f.length > round); round++) {
    for (const files of folders) {
      const f = files[round];
      if (!f || bytes >= limit) continue;
      const raw = await fs.readFile(f);
      const text = raw.toString('utf8');
      for (const [i, c] of chunks(text).entries()) {
        docs.push({ id: `${path.relative(benchCorpusDir, f)}#${i}`, subset: 'web', text: c, meta: {} });
        bytes += Buffer.byteLength(c);
      }
    }
  }
  return { docs, bytes };
}

/** Median wall ms and CPU ms (user + system of this process) of running `specs` over the documents. */
function timeFilter(docs: Document[], specs: FilterSpec[], repeats: number): { ms: number; cpuMs: number; dropped: Record<string, number> } {
  const filters = buildFilters(specs);
  const times: number[] = [];
  const cpus: number[] = [];
  let dropped: Record<string, number> = {};
  for (let r = 0; r < repeats; r++) {
    const d: Record<string, number> = {};
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const doc of docs) {
      for (const f of filters) {
        const v = f.check(doc);
        if (!v.keep) {
          d[v.reason] = (d[v.reason] ?? 0) + 1;
          break;
        }
      }
    }
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    dropped = d;
  }
  return { ms: median(times), cpuMs: median(cpus), dropped };
}

async function timePool(docs: Document[], specs: FilterSpec[], size: number, repeats: number): Promise<number> {
  const batches: Document[][] = [];
  for (let i = 0; i < docs.length; i += 256) batches.push(docs.slice(i, i + 256));
  const pool = new WorkerPool({ size });
  const url = new URL('../filters/apply-filters.js', import.meta.url).href;
  try {
    // warm-up: start the workers and build the filters in each
    for await (const _ of pool.map(url, 'applyFilters', specs, batches.slice(0, size * 2))) { /* warm */ }
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      let n = 0;
      for await (const out of pool.map(url, 'applyFilters', specs, batches)) n += (out as { verdicts: unknown[] }).verdicts.length;
      if (n !== docs.length) throw new Error(`pool returned ${n} verdicts for ${docs.length} documents`);
      times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await pool.close();
  }
}

const rate = (docs: number, bytes: number, ms: number) => ({
  ms: Math.round(ms),
  docsPerSec: Math.round(docs / (ms / 1000)),
  mbPerSec: Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10,
});

/** datatrove's Gopher filters on the same documents (the reference), when installed. */
async function reference(docs: Document[], bytes: number): Promise<unknown> {
  const python = process.env.DATATROVE_PYTHON ?? '/tmp/dtenv/bin/python';
  if (!existsSync(python)) return { skipped: `no datatrove python at ${python} (set DATATROVE_PYTHON)` };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bench-filters-'));
  try {
    const input = path.join(dir, 'docs.jsonl');
    await fs.writeFile(input, docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
    const script = `
import json, sys, time
from datatrove.data import Document
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
docs = [Document(text=j["text"], id=j["id"]) for j in map(json.loads, open(sys.argv[1]))]
out = {}
for name, f in (("gopher-quality", GopherQualityFilter()), ("gopher-repetition", GopherRepetitionFilter())):
    f.filter(docs[0])
    t0 = time.perf_counter(); dropped = 0
    for d in docs:
        r = f.filter(d)
        if r is not True and (r is False or (isinstance(r, tuple) and r[0] is False)): dropped += 1
    out[name] = {"ms": (time.perf_counter() - t0) * 1000, "dropped": dropped}
print(json.dumps(out))
`;
    const r = spawnSync(python, ['-c', script, input], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) return { skipped: `datatrove failed: ${r.stderr.slice(-400)}` };
    const res = JSON.parse(r.stdout) as Record<string, { ms: number; dropped: number }>;
    return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { ...rate(docs.length, bytes, v.ms), dropped: v.dropped }]));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<unknown> {
  const arg = (name: string, def: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const mb = arg('--mb', 64);
  const repeats = arg('--repeats', 3);
  const { docs, bytes } = await benchDocuments(mb);
  const specsAll = (defaultFilterSpecs as FilterSpec[]).map(({ name }) => ({ name })); // every rule on every doc
  const perFilter: Record<string, unknown> = {};
  // Per core: rates from CPU time (the machine may be shared; wall time is given too).
  for (const spec of specsAll) {
    const { ms, cpuMs, dropped } = timeFilter(docs, [spec], repeats);
    perFilter[spec.name] = { perCore: rate(docs.length, bytes, cpuMs), wallMs: Math.round(ms), dropped: Object.values(dropped).reduce((a, b) => a + b, 0) };
  }
  const chain = timeFilter(docs, specsAll, repeats);
  const pool1 = await timePool(docs, specsAll, 1, repeats);
  const pool2 = await timePool(docs, specsAll, 2, repeats);
  const ref = args.includes('--no-reference') ? { skipped: '--no-reference' } : await reference(docs, bytes);
  return {
    corpus: { documents: docs.length, megabytes: Math.round(bytes / 1e5) / 10, parts: PARTS, source: benchCorpusDir },
    machine: { cpus: os.availableParallelism(), loadavg: os.loadavg().map((x) => Math.round(x * 10) / 10) },
    singleCore: { ...perFilter, chain: { perCore: rate(docs.length, bytes, chain.cpuMs), wallMs: Math.round(chain.ms), dropped: chain.dropped } },
    workerPool: {
      workers1: rate(docs.length, bytes, pool1),
      workers2: rate(docs.length, bytes, pool2),
      speedup: Math.round((pool1 / pool2) * 100) / 100,
    },
    reference: { tool: 'datatrove GopherQualityFilter / GopherRepetitionFilter (Python), same documents, one core (wall)', ...(ref as object) },
  };
}
