/**
 * Dedup benchmarks on the real bench corpus (make-bench-corpus.sh).
 *
 * `npm run bench -- dedup [MB=100] [repeats=3]` — speed: MinHash signatures (33 x 12 = 396 hashes, word
 * 13-grams) with 1 and 2 workers (MB/s, docs/s, the 2-worker speed-up), the whole near-dedup (four phases)
 * and exact dedup, against the REFERENCE: datatrove's signature method in numpy (bench/dedup-reference.py:
 * sha1-64 shingles, (a*h+b) mod 2^61-1) on the same documents with the same shingles and hash count.
 * One document per corpus file. Medians over repeats.
 *
 * `npm run bench -- dedup quality [SEEDS=3]` — recall at J >= 0.85 and false removals at J <= 0.6 on
 * planted near-duplicates of real books (shared/corpora/books), one run per seed.
 *
 * `npm run bench -- dedup memory [DOCS=1000000] [PARTS=10]` — bounded memory: DOCS documents (real
 * corpus paragraphs cut to 20-200 words, 5% of them with a planted near-duplicate at ~0.9 Jaccard) in
 * PARTS parts; each phase runs in its own process under /usr/bin/time, giving its peak RSS, the peak above
 * an idle Node process, and that per document.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, DocumentPartWriter, partName, WorkerPool } from '../pipeline/index.js';
import { computeSignatures, exactDedup, nearDedup, readRemoved } from '../stages/dedup/index.js';
import { plantedBookCorpus } from '../stages/dedup/testing/planted-corpus.js';
import { prng, scorePlanted } from '../stages/dedup/testing/planted-near-duplicates.js';
import { benchCorpusDir, listFiles, median, runTimed, timeIt } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const isTs = import.meta.url.endsWith('.ts');

async function writeParts(docs: Document[], dir: string, parts: number): Promise<string[]> {
  const files: string[] = [];
  for (let p = 0; p < parts; p++) {
    const f = path.join(dir, 'in', partName(p));
    const w = await DocumentPartWriter.open(f);
    for (let i = p; i < docs.length; i += parts) await w.add(docs[i]!);
    await w.commit();
    files.push(f);
  }
  return files;
}

const mbps = (bytes: number, ms: number) => +((bytes / 1e6) / (ms / 1000)).toFixed(2);

/** CPU ms of this process's main thread so far (Linux /proc; 0 elsewhere). */
function mainThreadCpuMs(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * (1000 / 100); // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Wall and CPU time (all threads of this process, so worker threads count; and the main thread's) of fn. */
async function timeCpu<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; mainCpuMs: number; value: T }> {
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuMs();
  const t = await timeIt(fn);
  const c = process.cpuUsage(c0);
  return { ...t, cpuMs: (c.user + c.system) / 1000, mainCpuMs: mainThreadCpuMs() - m0 };
}
const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000));

async function speed(args: string[]): Promise<unknown> {
  const mb = Number(args[0] ?? 100);
  const repeats = Number(args[1] ?? 3);
  const files = await listFiles(benchCorpusDir, mb * 1e6, (f) => /\/(prose|html|code|email)\//.test(f));
  const docs: Document[] = files.map((f) => ({ id: path.relative(benchCorpusDir, f), subset: 'web', text: readFileSync(f, 'utf8'), meta: {} }));
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d.text), 0);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bench-dedup-'));
  try {
    const parts = await writeParts(docs, tmp, 8);
    const sig: Record<number, number[]> = { 1: [], 2: [] };
    const sigCpu: Record<number, number[]> = { 1: [], 2: [] };
    const sigMain: Record<number, number[]> = { 1: [], 2: [] };
    for (const workers of [1, 2]) {
      const pool = new WorkerPool({ size: workers });
      try {
        // warm-up: start the workers and compile the kernels
        await computeSignatures({ parts: parts.slice(0, 1), workDir: path.join(tmp, `warm${workers}`), pool, resume: false });
        for (let r = 0; r < repeats; r++) {
          const t = await timeCpu(() => computeSignatures({ parts, workDir: path.join(tmp, `s${workers}-${r}`), pool, resume: false }));
          sig[workers]!.push(t.ms);
          sigCpu[workers]!.push(t.cpuMs);
          sigMain[workers]!.push(t.mainCpuMs);
        }
      } finally {
        await pool.close();
      }
    }
    const near: number[] = [];
    const exact: number[] = [];
    let nearResult: unknown = null;
    for (let r = 0; r < repeats; r++) {
      const t = await timeIt(() => nearDedup({ parts, workDir: path.join(tmp, `n${r}`), outDir: path.join(tmp, `no${r}`), workers: 2, resume: false }));
      near.push(t.ms);
      nearResult = { clusters: t.value.clusters, timings: t.value.timings };
      const e = await timeIt(() => exactDedup({ parts, workDir: path.join(tmp, `e${r}`), outDir: path.join(tmp, `eo${r}`), resume: false }));
      exact.push(e.ms);
    }
    // Reference: datatrove-style numpy signatures, one process, same docs.
    const jsonl = path.join(tmp, 'docs.jsonl');
    await fs.writeFile(jsonl, docs.map((d) => JSON.stringify({ text: d.text })).join('\n') + '\n');
    const refScript = path.join(isTs ? here : path.resolve(here, '../../bench'), 'dedup-reference.py');
    const ref: number[] = [];
    const refCpu: number[] = [];
    let refError: string | null = null;
    for (let r = 0; r < Math.min(repeats, 2); r++) {
      const p = spawnSync('/usr/bin/python3', [refScript, jsonl, '396', '13'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (p.status !== 0) {
        refError = (p.stderr || p.error?.message || 'failed').slice(-500);
        break;
      }
      const out = JSON.parse(p.stdout) as { seconds: number; cpu_seconds: number };
      ref.push(out.seconds * 1000);
      refCpu.push(out.cpu_seconds * 1000);
    }
    const load = os.loadavg()[0]!;
    const s1 = median(sig[1]!);
    const c1 = median(sigCpu[1]!);
    const refCpuMs = refCpu.length ? median(refCpu) : NaN;
    const s2 = median(sig[2]!);
    const refMs = ref.length ? median(ref) : NaN;
    return {
      corpus: { files: docs.length, MB: +(bytes / 1e6).toFixed(1), parts: parts.length },
      ours: {
        signatures_1_worker: { ms: Math.round(s1), MBps: mbps(bytes, s1), docsPerSec: perSec(docs.length, s1), MB_per_cpu_second: mbps(bytes, c1) },
        signatures_2_workers: { ms: Math.round(s2), MBps: mbps(bytes, s2), docsPerSec: perSec(docs.length, s2), MB_per_cpu_second: mbps(bytes, median(sigCpu[2]!)) },
        two_worker_speedup: +(s1 / s2).toFixed(2),
        // The reading thread's share of the CPU: with the rest split over 2 workers, the pipelined critical
        // path is max(main, rest / 2); this bounds the speed-up an idle 2-core machine can show.
        main_thread_cpu_share: +(median(sigMain[2]!) / median(sigCpu[2]!)).toFixed(3),
        two_worker_speedup_bound_from_cpu: +(median(sigCpu[1]!) / Math.max(median(sigMain[2]!), median(sigCpu[2]!) / 2)).toFixed(2),
        near_dedup_2_workers: { ms: Math.round(median(near)), MBps: mbps(bytes, median(near)), docsPerSec: perSec(docs.length, median(near)), last: nearResult },
        exact_dedup: { ms: Math.round(median(exact)), MBps: mbps(bytes, median(exact)), docsPerSec: perSec(docs.length, median(exact)) },
      },
      reference: ref.length
        ? { tool: 'datatrove-style numpy MinHash (bench/dedup-reference.py), 1 process', ms: Math.round(refMs), MBps: mbps(bytes, refMs), docsPerSec: perSec(docs.length, refMs), MB_per_cpu_second: mbps(bytes, refCpuMs) }
        : { tool: 'datatrove-style numpy MinHash', error: refError },
      ratio_signatures_1_worker_vs_reference: ref.length ? +(refMs / s1).toFixed(2) : null,
      ratio_cpu_time_vs_reference: ref.length ? +(refCpuMs / c1).toFixed(2) : null,
      load_average_1min: +load.toFixed(1),
      cores: os.availableParallelism(),
      note: 'wall-clock figures (and the 2-worker speed-up) are only meaningful on an idle machine; MB_per_cpu_second is not affected by other load',
      repeats,
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Real paragraphs cut to 20..200 words, from every family of the corpus in turn, until `count`. */
async function corpusParagraphs(count: number): Promise<string[]> {
  const files = await listFiles(benchCorpusDir, Infinity, (f) => /\/(prose|email|html|code)\//.test(f));
  const out: string[] = [];
  for (const f of files) {
    for (const para of readFileSync(f, 'utf8').split(/\n\s*\n/)) {
      const words = para.split(/\s+/).filter(Boolean);
      for (let i = 0; i + 20 <= words.length && out.length < count; i += 200) out.push(words.slice(i, i + 200).join(' '));
      if (out.length >= count) return out;
    }
  }
  return out;
}

async function memory(args: string[]): Promise<unknown> {
  const count = Number(args[0] ?? 1_000_000);
  const nParts = Number(args[1] ?? 10);
  const bases = await corpusParagraphs(Math.ceil(count * 0.95));
  const rnd = prng(42);
  const docs: Document[] = bases.map((text, i) => ({ id: `p${i}`, subset: 'web', text, meta: {} }));
  while (docs.length < count) {
    const i = Math.floor(rnd() * bases.length);
    const words = bases[i]!.split(' ');
    for (let k = 0; k < Math.max(1, words.length / 200); k++) words[Math.floor(rnd() * words.length)] = 'edited';
    docs.push({ id: `p${i}~${docs.length}`, subset: 'web', text: words.join(' '), meta: {} });
  }
  // shuffle so variants land in other parts
  for (let i = docs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [docs[i], docs[j]] = [docs[j]!, docs[i]!];
  }
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d.text), 0);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bench-dedup-mem-'));
  try {
    const parts = await writeParts(docs, tmp, nParts);
    docs.length = 0;
    const child = isTs
      ? [process.execPath, ['--import', 'tsx', path.join(here, '_dedup-phase.ts')]] as const
      : [process.execPath, [path.join(here, '_dedup-phase.js')]] as const;
    const phaseArgs = { parts, workDir: path.join(tmp, 'work'), outDir: path.join(tmp, 'out'), workers: 2 };
    const rows: Record<string, unknown> = {};
    let idleKb = 0;
    for (const phase of ['idle', 'signatures', 'buckets', 'clusters', 'filter', 'exact']) {
      const a = phase === 'exact' ? { ...phaseArgs, workDir: path.join(tmp, 'exact'), outDir: path.join(tmp, 'exact-out') } : phaseArgs;
      const r = runTimed(child[0], [...child[1], phase, JSON.stringify(a)]);
      if (r.status !== 0) throw new Error(`phase ${phase} failed: ${r.stderr.toString().slice(-2000)}`);
      const out = JSON.parse(r.stdout.toString().trim().split('\n').pop()!) as { ms: number; result: unknown };
      const peak = r.peakRssKb ?? 0;
      if (phase === 'idle') idleKb = peak;
      rows[phase] = {
        ms: out.ms, peakRssMB: +(peak / 1024).toFixed(1), aboveIdleMB: +((peak - idleKb) / 1024).toFixed(1),
        bytesPerDocAboveIdle: +(((peak - idleKb) * 1024) / count).toFixed(1),
        ...(phase === 'clusters' ? { summary: out.result } : {}),
        ...(phase !== 'idle' ? { MBps: mbps(bytes, out.ms), docsPerSec: perSec(count, out.ms) } : {}),
      };
    }
    return { docs: count, parts: nParts, MB: +(bytes / 1e6).toFixed(1), phases: rows,
      note: 'peak RSS per phase in its own process (/usr/bin/time -f %M); signatures with 2 worker threads (their memory is included)' };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Recall and false removals on planted near-duplicates of real books (shared/corpora), several seeds. */
async function quality(args: string[]): Promise<unknown> {
  const seeds = Number(args[0] ?? 3);
  const repo = isTs ? path.resolve(here, '..') : path.resolve(here, '../..');
  const books = path.join(process.env.MASSIVETEXT_SHARED ?? path.resolve(repo, '../shared'), 'corpora', 'books');
  const runs: unknown[] = [];
  let hi = 0, hiCaught = 0, lo = 0, loCaught = 0, unexpected = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bench-dedup-q-'));
    try {
      const { docs, pairs } = plantedBookCorpus(books, { seed });
      const parts = await writeParts(docs, tmp, 4);
      await nearDedup({ parts, workDir: path.join(tmp, 'w'), outDir: path.join(tmp, 'o'), workers: 0 });
      const q = scorePlanted(pairs, await readRemoved(path.join(tmp, 'w'), parts.length));
      hi += q.high.pairs; hiCaught += q.high.caught; lo += q.low.pairs; loCaught += q.low.caught; unexpected += q.unexpectedRemovals;
      runs.push({ seed, docs: docs.length, ...q });
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }
  return {
    ours: { recall_at_J_ge_0_85: +(hiCaught / hi).toFixed(4), pairs_at_J_ge_0_85: hi, false_removal_rate_at_J_le_0_6: +(loCaught / lo).toFixed(4), pairs_at_J_le_0_6: lo, unexpected_removals: unexpected },
    reference: { note: 'S-curve P(candidate | J) for 33x12: P(0.85) = 0.994, P(0.6) = 0.069 before confirmation' },
    runs,
  };
}

export async function run(args: string[]): Promise<unknown> {
  if (args[0] === 'memory') return memory(args.slice(1));
  if (args[0] === 'quality') return quality(args.slice(1));
  return speed(args);
}
