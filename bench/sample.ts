/**
 * Token shard writing and `massivetext sample` throughput, in GB/s of token bytes, against a plain `cp`
 * of the same bytes (the ceiling: no hashing, no index, no fsync) and against `cp` followed by
 * `sync FILE...` (the durable ceiling: our writers fsync every file before renaming it); wall medians,
 * their ratios (reference time / ours, so > 1 means faster than the reference) and CPU seconds (user +
 * system, medians) of each, all measured in the same run.
 *
 * Data: the real bench corpus (make-bench-corpus.sh), one document per file, families mapped to subsets
 * (html -> web, prose -> books, code -> github, email -> news; brown/nlp-corpus -> c4, jargon/devil ->
 * wikipedia), encoded with a byte-level id mapping (id = byte + 3, EOS 2; uint16), so 1 byte = 1 token.
 * Args: [MB of text = 300] [ratio = 0.128] [repeats = 3]
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleTokens } from '../stages/sample/index.js';
import { TokenShardSetWriter } from '../pipeline/token-shards.js';
import { spawnSync } from 'node:child_process';
import { benchCorpusDir, listFiles, median } from './_util.js';

/** Wall ms and CPU seconds (user + system) of `fn` in this process (all its threads). */
async function timeCpu<T>(fn: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpu: (c.user + c.system) / 1e6, value };
}

/** Wall ms and CPU seconds of a command, by GNU time (`/usr/bin/time -f "%U %S"`). */
function runCpu(cmd: string, args: string[]): { ms: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const [u, s] = String(r.stderr).trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, cpu: u + s };
}

function subsetOf(rel: string): string {
  if (/^prose\/(brown|nlp-corpus)/.test(rel)) return 'c4';
  if (/^prose\/(jargon|dict-devil|gnu-standards)/.test(rel)) return 'wikipedia';
  if (rel.startsWith('html/')) return 'web';
  if (rel.startsWith('code/')) return 'github';
  if (rel.startsWith('email/')) return 'news';
  return 'books';
}

async function duBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await listFiles(dir)) n += (await fs.stat(f)).size;
  return n;
}

export async function run(args: string[]): Promise<unknown> {
  const mb = Number(args[0] ?? 300);
  const ratio = Number(args[1] ?? 0.128);
  const repeats = Number(args[2] ?? 3);
  // take files from every family in turn so each subset is represented
  const families = ['html', 'prose', 'code', 'email'];
  const perFamily = await Promise.all(families.map((f) => listFiles(path.join(benchCorpusDir, f), (mb * 1e6) / families.length)));
  const docs = new Map<string, Uint16Array[]>();
  let textBytes = 0;
  for (const f of perFamily.flat()) {
    const b = await fs.readFile(f);
    const ids = new Uint16Array(b.length);
    for (let i = 0; i < b.length; i++) ids[i] = b[i] + 3;
    const s = subsetOf(path.relative(benchCorpusDir, f));
    if (!docs.has(s)) docs.set(s, []);
    docs.get(s)!.push(ids);
    textBytes += b.length;
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bench-sample-'));
  try {
    const build = path.join(tmp, 'build');
    const write: number[] = [];
    const writeCpu: number[] = [];
    const cpTokens: number[] = [];
    const cpTokensCpu: number[] = [];
    const cpSyncTokens: number[] = [];
    const cpSyncSample: number[] = [];
    const sample: number[] = [];
    const sampleCpu: number[] = [];
    const cpSample: number[] = [];
    const cpSampleCpu: number[] = [];
    let tokenBytes = 0;
    let sampleBytes = 0;
    let manifest: Awaited<ReturnType<typeof sampleTokens>> | null = null;
    for (let r = 0; r < repeats; r++) {
      await fs.rm(build, { recursive: true, force: true });
      const w = await timeCpu(async () => {
        for (const [subset, list] of docs) {
          const sw = new TokenShardSetWriter(path.join(build, 'tokens', subset), { vocabSize: 259, eosId: 2, shardTokens: 50_000_000 });
          for (const d of list) await sw.addDocument(d);
          await sw.finish();
        }
      });
      write.push(w.ms);
      writeCpu.push(w.cpu);
      tokenBytes = await duBytes(path.join(build, 'tokens'));
      await fs.rm(path.join(tmp, 'cp-tokens'), { recursive: true, force: true });
      const ct = runCpu('cp', ['-r', path.join(build, 'tokens'), path.join(tmp, 'cp-tokens')]);
      cpTokens.push(ct.ms);
      cpTokensCpu.push(ct.cpu);
      await fs.rm(path.join(tmp, 'cp-tokens'), { recursive: true, force: true });
      cpSyncTokens.push(runCpu('sh', ['-c', 'cp -r "$0" "$1" && sync "$1"/*/*', path.join(build, 'tokens'), path.join(tmp, 'cp-tokens')]).ms);

      await fs.rm(path.join(build, 'sample'), { recursive: true, force: true });
      const s = await timeCpu(() => sampleTokens({ in: build, ratio, seed: r }));
      sample.push(s.ms);
      sampleCpu.push(s.cpu);
      manifest = s.value;
      sampleBytes = await duBytes(path.join(build, 'sample'));
      await fs.rm(path.join(tmp, 'cp-sample'), { recursive: true, force: true });
      const cs = runCpu('cp', ['-r', path.join(build, 'sample'), path.join(tmp, 'cp-sample')]);
      cpSample.push(cs.ms);
      cpSampleCpu.push(cs.cpu);
      await fs.rm(path.join(tmp, 'cp-sample'), { recursive: true, force: true });
      cpSyncSample.push(runCpu('sh', ['-c', 'cp -r "$0" "$1" && sync "$1"/*/*', path.join(build, 'sample'), path.join(tmp, 'cp-sample')]).ms);
    }
    const cpuS = (xs: number[]) => Math.round(median(xs) * 1000) / 1000;
    const gbs = (bytes: number, ms: number) => Math.round((bytes / 1e9 / (ms / 1000)) * 1000) / 1000;
    const m = manifest!;
    return {
      data: {
        text_mb: Math.round(textBytes / 1e5) / 10, input_tokens: m.input.tokens, input_token_mb: Math.round(tokenBytes / 1e5) / 10,
        ratio, sample_tokens: m.tokens, sample_mb: Math.round(sampleBytes / 1e5) / 10, repeats, cpus: os.availableParallelism(),
        subsets: Object.fromEntries(Object.entries(m.subsets).map(([k, v]) => [k, { tokens: v!.tokens, epochs: Math.round(v!.epochs * 1000) / 1000 }])),
      },
      ours: {
        shard_write_gb_s: gbs(tokenBytes, median(write)),
        sample_gb_s: gbs(sampleBytes, median(sample)),
        shard_write_ms: Math.round(median(write)), sample_ms: Math.round(median(sample)),
        shard_write_cpu_s: cpuS(writeCpu), sample_cpu_s: cpuS(sampleCpu),
        note: 'shard write = TokenShardSetWriter.addDocument per document (id check, copy, sha256, .idx, fsync, rename, manifest); sample = sampleTokens (read .idx, plan, seeded shuffles, positional reads into two reused block buffers, sha256 of the same buffers, .idx, fsync overlapped with the next shard, manifests); cpu_s = user + system seconds of this process',
      },
      reference: {
        tool: 'cp -r',
        token_copy_gb_s: gbs(tokenBytes, median(cpTokens)),
        sample_copy_gb_s: gbs(sampleBytes, median(cpSample)),
        token_copy_fsync_gb_s: gbs(tokenBytes, median(cpSyncTokens)),
        sample_copy_fsync_gb_s: gbs(sampleBytes, median(cpSyncSample)),
        token_copy_ms: Math.round(median(cpTokens)), sample_copy_ms: Math.round(median(cpSample)), sample_copy_fsync_ms: Math.round(median(cpSyncSample)),
        token_copy_cpu_s: cpuS(cpTokensCpu), sample_copy_cpu_s: cpuS(cpSampleCpu),
        note: 'cp -r of the same files (page cache warm); *_fsync: cp -r then `sync FILE...` (durable, as our writers are)',
      },
      ratio_ours_over_reference: {
        shard_write_vs_cp: Math.round((median(cpTokens) / median(write)) * 100) / 100,
        sample_vs_cp: Math.round((median(cpSample) / median(sample)) * 100) / 100,
        shard_write_vs_cp_fsync: Math.round((median(cpSyncTokens) / median(write)) * 100) / 100,
        sample_vs_cp_fsync: Math.round((median(cpSyncSample) / median(sample)) * 100) / 100,
      },
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
