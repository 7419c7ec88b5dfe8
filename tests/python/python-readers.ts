/**
 * Runs tests/python/check_token_shards.py with Debian's /usr/bin/python3 + python3-numpy (CI installs
 * it). `numpyAvailable` is false only outside CI when numpy is missing: tests then skip; in CI a
 * missing numpy is a failure, never a silent skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.MASSIVETEXT_PYTHON ?? '/usr/bin/python3';
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check_token_shards.py');

function probe(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

export const numpyAvailable: boolean = probe();
/** Skip the python-reader tests only when not in CI and numpy is missing. */
export const skipPythonReaders: boolean = !numpyAvailable && !process.env.CI;

export interface PyShardReport {
  file: string;
  format: 'megatron' | 'llmc';
  dtype: string;
  dtype_code?: number;
  magic?: number;
  version?: number;
  tokens: number;
  documents: number;
  eos_after_every_document: boolean;
  tokens_sha256_u32: string;
  lengths: number[];
  first?: (number | null)[];
  last?: (number | null)[];
}

export function runPythonReader(kind: 'megatron' | 'llmc', files: string[], eos?: number): { numpy: string; files: PyShardReport[] } {
  if (!numpyAvailable) throw new Error(`${PYTHON} cannot import numpy: install Debian's python3-numpy`);
  const args = [script, kind, ...files, ...(eos === undefined ? [] : ['--eos', String(eos)])];
  const out = execFileSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out);
}
