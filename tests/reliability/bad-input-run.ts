/**
 * Runs the built CLI as a user would, asynchronously (so a local HTTP server in the test process keeps
 * answering), under GNU time to measure the peak resident set size, with a V8 heap cap.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/corpora.js';

export interface MeasuredRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS of the CLI process in MB (GNU time %M). */
  peakMb: number;
  ms: number;
}

export const TIME = '/usr/bin/time';
export const hasGnuTime = existsSync(TIME);
const MARK = '@@peak_rss_kb=';

export interface RunOptions {
  /** V8 old-space cap in MB (--max-old-space-size): a heap that outgrows it kills the run. */
  heapMb?: number;
  timeoutMs?: number;
  input?: string | Buffer;
  cwd?: string;
}

export function runMeasured(args: string[], opts: RunOptions = {}): Promise<MeasuredRun> {
  const node = [`--max-old-space-size=${opts.heapMb ?? 512}`, cliPath, ...args];
  const [cmd, argv] = hasGnuTime ? [TIME, ['-f', `${MARK}%M`, process.execPath, ...node]] : [process.execPath, node];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd ?? repoRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      let peakMb = NaN;
      const i = stderr.lastIndexOf(MARK);
      if (i >= 0) {
        peakMb = Number(stderr.slice(i + MARK.length).trim()) / 1024;
        stderr = stderr.slice(0, i).replace(/Command exited with non-zero status \d+\n$/, '');
      }
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr, peakMb, ms: performance.now() - t0 });
    });
  });
}

/** The JSON lines on stdout, parsed. */
export function docsOf(r: MeasuredRun): { id: string; text: string; meta?: Record<string, unknown>; [k: string]: unknown }[] {
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

export const idsOf = (r: MeasuredRun): string[] => docsOf(r).map((d) => d.id);
