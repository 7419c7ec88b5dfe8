/** Helpers for the tokenizer benchmarks: timed child processes (wall, CPU, peak RSS) and model comparison. */
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModelProto } from '../tokenizer/index.js';

export const cliJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'massivetext.js');

export interface Timed {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  status: number | null;
  stderrTail: string;
}

/** Runs argv under /usr/bin/time; stdout goes to `stdoutFile` (or is discarded). */
export function runTimed(cmd: string, args: string[], stdoutFile?: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const shell = `exec /usr/bin/time -f 'TIME %e %U %S %M' "$0" "$@"${stdoutFile ? ` > '${stdoutFile}'` : ' > /dev/null'}`;
    const child = spawn('sh', ['-c', shell, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-20000); });
    child.on('error', reject);
    child.on('close', (status) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      const wall = (performance.now() - t0) / 1000;
      resolve({
        wallS: m ? Number(m[1]) : wall,
        cpuS: m ? Number(m[2]) + Number(m[3]) : NaN,
        peakRssMb: m ? Math.round(Number(m[4]) / 1024) : NaN,
        status,
        stderrTail: err.split('\n').slice(-6).join('\n'),
      });
    });
  });
}

/** Number of ids in an id file (one line of space-separated ids per input line). */
export async function countIds(file: string): Promise<{ ids: number; lines: number }> {
  let ids = 0;
  let lines = 0;
  let inNum = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c >= 48 && c <= 57) { if (!inNum) { ids++; inNum = true; } }
      else { inNum = false; if (c === 10) lines++; }
    }
  }
  return { ids, lines };
}

export function pieceSet(modelFile: string): Set<string> {
  const p = decodeModelProto(readFileSync(modelFile));
  return new Set(p.pieces.filter((x) => x.type === undefined || x.type === 1).map((x) => x.piece));
}

export function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

export function argValue(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : dflt;
}

export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
