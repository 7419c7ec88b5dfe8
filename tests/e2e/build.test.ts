/**
 * End to end: the built CLI runs the bundled recipe over the bundled sample, as a user would; a re-run
 * resumes and changes nothing; 1 or 2 workers and 1 or 3 tasks give byte-identical outputs.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOutputs, runCli, treeHashes } from '../helpers/cli.js';
import { readDocuments } from '../../pipeline/index.js';

let tmp: string;
let out: string;
let first: ReturnType<typeof runCli>;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-e2e-'));
  first = runCli(['build'], { cwd: tmp });
  out = path.join(tmp, 'massivetext-out');
}, 600_000);
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('massivetext build (bundled recipe, bundled sample)', () => {
  it('runs with no arguments and writes docs, tokens, tokenizer, report and manifest', async () => {
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.status).toBe(0);
    const report = JSON.parse(await fs.readFile(path.join(out, 'report.json'), 'utf8'));
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'));
    for (const subset of Object.keys(manifest.config.subsets)) {
      const parts = (await fs.readdir(path.join(out, 'docs', subset))).filter((f) => f.endsWith('.jsonl.zst'));
      expect(parts.length, subset).toBeGreaterThan(0);
      let docs = 0;
      for (const p of parts) for await (const d of readDocuments(path.join(out, 'docs', subset, p))) {
        expect(d.subset).toBe(subset);
        docs++;
      }
      expect(docs, subset).toBeGreaterThan(0);
      const funnel = report.subsets[subset].funnel as { step: string; docs: number; bytes: number }[];
      expect(funnel.find((r) => r.step === 'decontaminate')!.docs).toBe(docs);
      // From the extracted text on, every step counts text bytes: the funnel never grows, and the
      // tokens step encodes exactly the text decontamination kept.
      const fromSource = funnel.slice(funnel.findIndex((r) => r.step === 'source'));
      for (let i = 1; i < fromSource.length; i++) {
        expect(fromSource[i]!.docs, `${subset} ${fromSource[i]!.step}`).toBeLessThanOrEqual(fromSource[i - 1]!.docs);
        expect(fromSource[i]!.bytes, `${subset} ${fromSource[i]!.step}`).toBeLessThanOrEqual(fromSource[i - 1]!.bytes);
      }
      expect(funnel.at(-1)!.bytes).toBe(funnel.find((r) => r.step === 'decontaminate')!.bytes);
      const tm = JSON.parse(await fs.readFile(path.join(out, 'tokens', subset, 'manifest.json'), 'utf8'));
      expect(tm.documents).toBe(docs);
      expect(tm.tokens).toBeGreaterThan(docs);
    }
    // The GPL repository of the sample is excluded with its licence as the reason.
    expect(JSON.stringify(report.drops.github ?? {}) + JSON.stringify(report.steps.ingest.stats['read-github'])).toMatch(/GPL-3\.0/);
    expect(manifest.inputs.length).toBeGreaterThan(5);
    for (const i of manifest.inputs) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(manifest.steps).every((s: any) => s.complete)).toBe(true); // eslint-disable-line @typescript-eslint/no-explicit-any
    const model = await fs.stat(path.join(out, 'tokenizer', 'massivetext.model'));
    expect(model.size).toBeGreaterThan(1000);
  });

  it('resumes: a second run does nothing and leaves every output byte-identical', async () => {
    const before = await treeHashes(out, buildOutputs);
    const again = runCli(['build'], { cwd: tmp });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/already done/);
    expect(await treeHashes(out, buildOutputs)).toEqual(before);
  });

  it('gives the same bytes with 1 worker and 3 tasks', async () => {
    const other = path.join(tmp, 'w1');
    const r = runCli(['build', '--out', other, '--workers', '1', '--tasks', '3', '--quiet'], { cwd: tmp });
    expect(r.status).toBe(0);
    expect(await treeHashes(other, buildOutputs)).toEqual(await treeHashes(out, buildOutputs));
  });
});
