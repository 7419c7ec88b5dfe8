/**
 * The house rules that keep the code base small: dependencies point one way
 * (bin -> stages/filters/tokenizer -> pipeline), siblings never import each other, pipeline imports only
 * node:* and packages, library folders never print or exit, and importing any module has no side effects.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/corpora.js';

const FOLDERS = ['pipeline', 'stages', 'filters', 'tokenizer', 'bin'] as const;
type Folder = (typeof FOLDERS)[number];
const ALLOWED: Record<Folder, Folder[]> = {
  pipeline: ['pipeline'],
  stages: ['stages', 'pipeline'],
  filters: ['filters', 'pipeline'],
  tokenizer: ['tokenizer', 'pipeline'],
  bin: ['bin', 'stages', 'filters', 'tokenizer', 'pipeline'],
};

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(code: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g;
  for (const m of code.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3]!);
  return specs;
}

const files = (await Promise.all(FOLDERS.map((f) => sources(path.join(repoRoot, f))))).flat();

describe('architecture', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('dependencies point one way: bin -> stages/filters/tokenizer -> pipeline', async () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = path.relative(repoRoot, file).split(path.sep)[0] as Folder;
      for (const spec of importsOf(await fs.readFile(file, 'utf8'))) {
        if (!spec.startsWith('.')) {
          if (from === 'pipeline' && !spec.startsWith('node:') && !['zstd-napi', 'tsx/esm/api'].includes(spec)) violations.push(`${path.relative(repoRoot, file)} imports package ${spec} (pipeline imports only node:* and zstd-napi)`);
          continue;
        }
        const target = path.relative(repoRoot, path.resolve(path.dirname(file), spec)).split(path.sep)[0] as Folder;
        if (!FOLDERS.includes(target)) continue;
        if (!ALLOWED[from].includes(target)) violations.push(`${path.relative(repoRoot, file)} imports ${spec} (${from} -> ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only bin/ prints or exits', async () => {
    const violations: string[] = [];
    for (const file of files) {
      if (path.relative(repoRoot, file).startsWith('bin')) continue;
      const code = (await fs.readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/\bconsole\.(log|error|warn|info)\(|process\.exit\(|process\.(stdout|stderr)\.write\(/.test(code)) violations.push(path.relative(repoRoot, file));
    }
    expect(violations).toEqual([]);
  });

  it('importing any library module has no side effects (no output, no timers, no files)', async () => {
    const before = new Set(await fs.readdir(repoRoot));
    const writes: string[] = [];
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((c: string) => (writes.push(String(c)), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => (writes.push(String(c)), true)) as typeof process.stderr.write;
    const failed: string[] = [];
    try {
      for (const file of files) {
        const rel = path.relative(repoRoot, file);
        if (rel === path.join('bin', 'massivetext.ts') || rel.startsWith(path.join('pipeline', 'worker-entry'))) continue;
        try {
          await import(pathToFileURL(file).href);
        } catch (e) {
          failed.push(`${rel}: ${(e as Error).message}`);
        }
      }
    } finally {
      process.stdout.write = origOut;
      process.stderr.write = origErr;
    }
    expect(failed).toEqual([]);
    expect(writes).toEqual([]);
    expect(new Set(await fs.readdir(repoRoot))).toEqual(before);
  });
});
