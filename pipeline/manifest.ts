/**
 * manifest.json of a build directory: the config fingerprint, the inputs (size, sha256) and per-step
 * completion. It holds no timestamps, so a resumed build writes the same bytes as an uninterrupted one.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { MassivetextError } from './errors.js';
import { sha256File } from './fingerprint.js';

export interface InputRecord {
  path: string;
  size: number;
  sha256: string;
}

export interface StepRecord {
  units: number;
  done: number;
  complete: boolean;
}

export interface Manifest {
  tool: 'massivetext';
  version: number;
  fingerprint: string;
  config: unknown;
  inputs: InputRecord[];
  steps: Record<string, StepRecord>;
  /** Extra sections other steps add (e.g. tokens summary). */
  [k: string]: unknown;
}

export const MANIFEST_VERSION = 1;

export function manifestPath(outDir: string): string {
  return path.join(outDir, 'manifest.json');
}

export async function readManifest(outDir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await fs.readFile(manifestPath(outDir), 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as Manifest;
  } catch (e) {
    throw new MassivetextError('bad_manifest', `${manifestPath(outDir)} is not valid JSON: ${(e as Error).message}`,
      'the file was edited or damaged; remove it (and the directory) or build into a new --out');
  }
}

export async function writeManifest(outDir: string, m: Manifest): Promise<void> {
  await writeFileAtomic(manifestPath(outDir), JSON.stringify(m, null, 2) + '\n');
}

/** Size and sha256 of each input file, in the given order; paths are stored as given (relative stays relative). */
export async function describeInputs(files: string[], base = process.cwd()): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for (const f of files) {
    const abs = path.resolve(base, f);
    let st;
    try {
      st = await fs.stat(abs);
    } catch (e) {
      throw new MassivetextError('missing_input', `input ${f} cannot be read: ${(e as Error).message}`,
        'check the paths in the recipe (they are relative to the recipe file)', { file: f });
    }
    out.push({ path: f, size: st.size, sha256: await sha256File(abs) });
  }
  return out;
}

/**
 * Opens or creates the manifest for a build: a directory built with another config is refused unless
 * `force` is set, so a resume never mixes outputs of two recipes.
 */
export async function openManifest(outDir: string, fp: string, config: unknown, inputs: InputRecord[], force = false): Promise<Manifest> {
  const existing = await readManifest(outDir);
  if (existing && existing.fingerprint !== fp && !force) {
    throw new MassivetextError('config_changed', `${outDir} was built with another config (fingerprint ${existing.fingerprint.slice(0, 12)}, now ${fp.slice(0, 12)})`,
      'build into a new --out directory, or pass --force to discard the old outputs', { file: manifestPath(outDir) });
  }
  if (existing && existing.fingerprint === fp) return existing;
  const m: Manifest = { tool: 'massivetext', version: MANIFEST_VERSION, fingerprint: fp, config, inputs, steps: {} };
  await writeManifest(outDir, m);
  return m;
}
