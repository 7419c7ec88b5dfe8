/**
 * `npm run bench -- extract [--pages N] [--repeats R] [--workers W]`: main-text extraction speed (pages/s,
 * MB/s) and quality, ours beside readability-lxml (Debian python3-readability, the Python port of the same
 * Readability algorithm) measured in the same run on the same pages.
 * Pages: the 29 fixture pages of ../shared/corpora (trafilatura + AEB) and N pages sampled evenly from the
 * bench corpus HTML (Python, SQLite, PostgreSQL, Django, Rust, Debian manuals ...). Speed is the median over
 * R repeats, single thread for both; `workers` adds our throughput on a worker pool.
 * Quality: trafilatura snippet pass rate and AEB mean token F1, scored as shared/tools/score-extraction.py.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../pipeline/worker-pool.js';
import type { Document } from '../pipeline/document.js';
import { extractMainText, extractWorkerModule, fixturePages, scoreExtraction } from '../stages/extract/index.js';
import { decodeHtml } from '../stages/web/index.js';
import { benchCorpusDir, listFiles, median } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// bench/ under tsx, dist/bench/ when built: the repository root is the folder with package.json.
const repoRoot = existsSync(path.join(here, '../package.json')) ? path.resolve(here, '..') : path.resolve(here, '../..');
const corporaDir = path.join(process.env.MASSIVETEXT_SHARED ?? path.resolve(repoRoot, '../shared'), 'corpora');

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export async function run(args: string[]): Promise<unknown> {
  const nPages = arg(args, 'pages', 400);
  const repeats = arg(args, 'repeats', 3);
  const workers = arg(args, 'workers', Math.min(2, os.availableParallelism()));

  // Pages: fixtures (as files, AEB ones gunzipped to a temp dir) and an even sample of the bench HTML.
  const tmp = path.join(os.tmpdir(), `mt-bench-extract-${process.pid}`);
  const fixtures = fixturePages(corporaDir);
  const files: string[] = [];
  spawnSync('mkdir', ['-p', tmp]);
  fixtures.forEach((p, i) => {
    const f = path.join(tmp, `fixture-${i}.html`);
    writeFileSync(f, p.bytes);
    files.push(f);
  });
  const all = await listFiles(path.join(benchCorpusDir, 'html'), Infinity, (f) => f.endsWith('.html'));
  const step = Math.max(1, Math.floor(all.length / nPages));
  for (let i = 0; i < all.length && files.length < fixtures.length + nPages; i += step) files.push(all[i]!);
  const list = path.join(tmp, 'files.txt');
  writeFileSync(list, files.join('\n') + '\n');
  const bytes = files.map((f) => readFileSync(f));
  const totalBytes = bytes.reduce((a, b) => a + b.length, 0);

  // Ours, single thread (decode + extract, as `massivetext extract` does).
  const oursMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (const b of bytes) extractMainText(decodeHtml(b).text);
    oursMs.push(performance.now() - t0);
  }
  const oursSingle = median(oursMs);

  // Ours on the worker pool (batches of 64 documents, the extract stage's default).
  let poolMs: number | null = null;
  if (workers > 1) {
    const docs: Document[] = bytes.map((b, i) => ({ id: String(i), subset: 'web', text: decodeHtml(b).text, meta: { format: 'html' } }));
    const batches: Document[][] = [];
    for (let i = 0; i < docs.length; i += 64) batches.push(docs.slice(i, i + 64));
    const pool = new WorkerPool({ size: workers });
    for await (const _ of pool.map(extractWorkerModule, 'extractDocuments', {}, batches.slice(0, workers))) { /* warm-up */ }
    const ms: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      for await (const _ of pool.map(extractWorkerModule, 'extractDocuments', {}, batches)) { /* results discarded */ }
      ms.push(performance.now() - t0);
    }
    await pool.close();
    poolMs = median(ms);
  }

  // Reference: readability-lxml, single thread, same pages, same repeats.
  const script = path.join(repoRoot, 'bench', 'extract-reference.py');
  const speed = spawnSync('/usr/bin/python3', [script, 'speed', list, String(repeats)], { maxBuffer: 1 << 26 });
  const refOk = speed.status === 0;
  const ref = refOk ? JSON.parse(speed.stdout.toString()) as { ms: number[] } : null;
  const refQ = spawnSync('/usr/bin/python3', [script, 'quality', corporaDir], { maxBuffer: 1 << 26 });
  const refQuality = refQ.status === 0 ? JSON.parse(refQ.stdout.toString()) : null;
  spawnSync('rm', ['-rf', tmp]);

  const q = scoreExtraction((b) => extractMainText(decodeHtml(b).text).text, corporaDir);
  const refSingle = ref ? median(ref.ms) : null;
  const pps = (ms: number) => Math.round((files.length / (ms / 1000)) * 10) / 10;
  return {
    pages: files.length,
    megabytes: Math.round(totalBytes / 1e5) / 10,
    repeats,
    ours: {
      pagesPerSec: pps(oursSingle),
      mbPerSec: Math.round((totalBytes / 1e6 / (oursSingle / 1000)) * 10) / 10,
      [`pagesPerSecWorkers${workers}`]: poolMs ? pps(poolMs) : null,
      snippetPass: Math.round(q.snippetPass * 1000) / 1000,
      aebF1: Math.round(q.aebF1 * 1000) / 1000,
    },
    reference: refSingle ? {
      tool: 'readability-lxml 0.8.1 (python3-readability, Debian 12), single thread',
      pagesPerSec: pps(refSingle),
      snippetPass: refQuality ? Math.round(refQuality.snippet_pass * 1000) / 1000 : null,
      aebF1: refQuality ? Math.round(refQuality.aeb_f1 * 1000) / 1000 : null,
    } : { error: `reference not run: ${speed.stderr.toString().slice(0, 300)} (apt-get install python3-readability)` },
    speedRatio: refSingle ? Math.round((refSingle / oursSingle) * 100) / 100 : null,
  };
}
