/**
 * Crash anywhere and resume byte-identical (issue 12): `build` is killed with SIGKILL at 20 seeded random
 * moments spread over its steps, re-run after each kill, and the sha256 of every output file must equal
 * an uninterrupted run's. The same for `sample`. Out of disk: a build on a tiny filesystem fails with a
 * clear error, leaves no half-written file, and completes identically once space is freed.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOutputs, runCli, runCliKilled, treeHashes } from '../helpers/cli.js';
import { quick, writeRecipeVariant } from '../helpers/recipes.js';
import { mulberry32 } from '../../tokenizer/training-corpus.js';

let tmp: string;
let recipe: string;
let reference: string;
let referenceMs = 0;

/** The kill moments come from a seeded PRNG, so they are the same on every run of the test. */
const prng = mulberry32;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-crash-'));
  recipe = await writeRecipeVariant(tmp, quick);
  reference = path.join(tmp, 'reference');
  const t0 = performance.now();
  const r = runCli(['build', '--config', recipe, '--out', reference, '--quiet']);
  referenceMs = performance.now() - t0;
  expect(r.status, r.stderr).toBe(0);
}, 600_000);
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('crash-resume', () => {
  it('build killed at 20 random moments, then resumed, equals an uninterrupted build byte for byte', async () => {
    const out = path.join(tmp, 'killed');
    const rand = prng(20261129);
    let killed = 0;
    for (let i = 0; i < 20; i++) {
      // Moments spread over the whole run: each run resumes, so later kills land in later steps. A kill
      // lands on average after 1/8 of the reference time, so 20 of them reach the last steps; a run that
      // ends before its moment (a quieter machine than when the reference was timed) is not a kill.
      const at = 250 + rand() * referenceMs * 0.25;
      const r = await runCliKilled(['build', '--config', recipe, '--out', out, '--quiet'], at);
      if (r.killed) killed++;
    }
    expect(killed, `${killed} of 20 runs were killed before they ended`).toBeGreaterThanOrEqual(8);
    const last = runCli(['build', '--config', recipe, '--out', out, '--quiet']);
    expect(last.status, last.stderr).toBe(0);
    const want = await treeHashes(reference, buildOutputs);
    expect(Object.keys(want).length).toBeGreaterThan(20);
    expect(await treeHashes(out, buildOutputs)).toEqual(want);
    // No temp file survives a resumed run.
    expect(Object.keys(await treeHashes(out)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 900_000);

  it('sample killed at 20 random moments, then resumed, equals an uninterrupted sample', async () => {
    const ref = path.join(tmp, 'sample-ref');
    const t0 = performance.now();
    const r0 = runCli(['sample', '--ratio', '0.5', '--in', reference, '--out', ref, '--seed', '7']);
    const ms = performance.now() - t0;
    expect(r0.status, r0.stderr).toBe(0);
    const out = path.join(tmp, 'sample-killed');
    const rand = prng(7);
    for (let i = 0; i < 20; i++) await runCliKilled(['sample', '--ratio', '0.5', '--in', reference, '--out', out, '--seed', '7'], 100 + rand() * ms);
    const last = runCli(['sample', '--ratio', '0.5', '--in', reference, '--out', out, '--seed', '7']);
    expect(last.status, last.stderr).toBe(0);
    const skip = (rel: string) => rel.endsWith('report.html') || rel.startsWith('.');
    expect(await treeHashes(out, skip)).toEqual(await treeHashes(ref, skip));
    // No temp file survives a resumed run, not even one of the report written after the manifest.
    expect(Object.keys(await treeHashes(out)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 600_000);
});

describe('out of disk', () => {
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  it.skipIf(!canMount && !process.env.CI)('fails clearly on a full filesystem, leaves nothing half-written, and resumes identically after space is freed', { timeout: 600_000, retry: 1 }, async () => {
    const mnt = await fs.mkdtemp(path.join(tmp, 'small-'));
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt]);
    expect(m.status, m.stderr?.toString()).toBe(0);
    try {
      const out = path.join(mnt, 'out');
      const full = runCli(['build', '--config', recipe, '--out', out, '--quiet']);
      expect(full.status).toBe(1);
      expect(full.stderr).toMatch(/no space left on device/);
      expect(full.stderr).toMatch(/out_of_disk/);
      expect(full.stderr).not.toMatch(/internal error/);
      const files = Object.keys(await treeHashes(out));
      expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
      // Every part that exists is complete: it decompresses to the end (an empty part is an empty file).
      for (const f of files.filter((f) => f.endsWith('.jsonl.zst'))) {
        if ((await fs.stat(path.join(out, f))).size === 0) continue;
        expect(spawnSync('zstd', ['-t', '-q', path.join(out, f)]).status, f).toBe(0);
      }
      const grow = spawnSync('mount', ['-o', 'remount,size=300m', mnt]);
      expect(grow.status).toBe(0);
      const again = runCli(['build', '--config', recipe, '--out', out, '--quiet']);
      expect(again.status, again.stderr).toBe(0);
      expect(await treeHashes(out, buildOutputs)).toEqual(await treeHashes(reference, buildOutputs));
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  });

  it.skipIf(!canMount && !process.env.CI)('sample: fails clearly when the disk fills, no shard half-written, and resumes identically', { timeout: 600_000 }, async () => {
    const ref = path.join(tmp, 'sample-disk-ref');
    const args = ['sample', '--ratio', '0.5', '--in', reference, '--seed', '11', '--shard-tokens', '20000', '--quiet'];
    expect(runCli([...args, '--out', ref]).status).toBe(0);
    const refHashes = await treeHashes(ref, (rel) => rel.endsWith('report.html'));
    let total = 0;
    for (const f of Object.keys(refHashes)) total += (await fs.stat(path.join(ref, f))).size;
    // Room for about half of the sample's bytes: some shards commit, one fails mid-way.
    const mnt = await fs.mkdtemp(path.join(tmp, 'small-sample-'));
    const size = Math.max(16, Math.round(total / 2 / 4096) * 4);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}k`, 'tmpfs', mnt]);
    expect(m.status, m.stderr?.toString()).toBe(0);
    try {
      const out = path.join(mnt, 'sample');
      const full = runCli([...args, '--out', out]);
      expect(full.status, full.stderr).toBe(1);
      expect(full.stderr).toMatch(/out_of_disk|no space left on device/);
      expect(full.stderr).not.toMatch(/internal error/);
      const files = Object.keys(await treeHashes(out));
      expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(files).not.toContain('manifest.json');
      expect(files.some((f) => f.endsWith('.bin')), 'some shards were committed before the disk filled').toBe(true);
      // Every shard that made it is whole: the same bytes as in the uninterrupted sample.
      for (const f of files.filter((f) => /part-\d+\.(bin|idx)$/.test(f))) expect(refHashes[f], f).toBe((await treeHashes(out))[f]);
      expect(spawnSync('mount', ['-o', 'remount,size=300m', mnt]).status).toBe(0);
      const again = runCli([...args, '--out', out]);
      expect(again.status, again.stderr).toBe(0);
      expect(await treeHashes(out, (rel) => rel.endsWith('report.html'))).toEqual(refHashes);
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  });
});
