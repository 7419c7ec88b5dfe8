/** Shared helpers for benchmark scripts: medians, timing, child processes, the bench corpus. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const benchCorpusDir = process.env.MASSIVETEXT_BENCH_CORPUS ?? '/work/bench-data/corpus';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Runs a command (argv, no shell) and returns wall ms and, via /usr/bin/time when present, peak RSS in KB. */
export function runTimed(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { ms: number; peakRssKb: number | null; status: number | null; stdout: Buffer; stderr: Buffer } {
  const useTime = require_exists('/usr/bin/time');
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { maxBuffer: 1 << 30, ...opts })
    : spawnSync(cmd, args, { maxBuffer: 1 << 30, ...opts });
  const ms = performance.now() - t0;
  let peak: number | null = null;
  const stderr = (r.stderr as Buffer) ?? Buffer.alloc(0);
  if (useTime) {
    const lines = stderr.toString().trim().split('\n');
    peak = Number(lines[lines.length - 1]) || null;
  }
  return { ms, peakRssKb: peak, status: r.status, stdout: (r.stdout as Buffer) ?? Buffer.alloc(0), stderr };
}

function require_exists(p: string): boolean {
  try {
    return spawnSync('test', ['-x', p]).status === 0;
  } catch {
    return false;
  }
}

/** Lists files under dir recursively (sorted), up to maxBytes in total. */
export async function listFiles(dir: string, maxBytes = Infinity, filter: (f: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  let total = 0;
  async function walk(d: string): Promise<void> {
    const entries = (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (total >= maxBytes) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && filter(p)) {
        out.push(p);
        total += (await fs.stat(p)).size;
      }
    }
  }
  await walk(dir);
  return out;
}

export function requireBenchCorpus(): string {
  return benchCorpusDir;
}
