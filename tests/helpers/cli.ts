/** Runs the built CLI (dist/bin/massivetext.js) as a child process, as a user would. */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './corpora.js';

export const cliPath = path.join(repoRoot, 'dist', 'bin', 'massivetext.js');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd ?? repoRoot, input: opts.input, env: { ...process.env, ...opts.env }, encoding: 'utf8',
    maxBuffer: 1 << 28, timeout: opts.timeoutMs ?? 300_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI and kills it with SIGKILL after `killAfterMs` (if still running). */
export function runCliKilled(args: string[], killAfterMs: number, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ killed: boolean; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...opts.env }, stdio: 'ignore' });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, killAfterMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ killed, status });
    });
  });
}

/** sha256 of every file under dir (relative path -> hex), skipping paths that match `skip`. */
export async function treeHashes(dir: string, skip: (rel: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) await walk(p);
      else out[rel] = createHash('sha256').update(await fs.readFile(p)).digest('hex');
    }
  }
  await walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The user-facing outputs of a build: everything except the step bookkeeping (which holds timings). */
export const buildOutputs = (rel: string): boolean => rel === 'steps' || rel === 'timings.json' || rel.startsWith('work');
