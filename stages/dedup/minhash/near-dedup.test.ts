import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocuments } from '../../../pipeline/document-parts.js';
import { WorkerPool } from '../../../pipeline/worker-pool.js';
import { corpus } from '../../../tests/helpers/corpora.js';
import { readRemoved } from '../common/read-removed.js';
import { plantedBookCorpus, writeParts } from '../testing/planted-corpus.js';
import { scorePlanted, type PlantedPair } from '../testing/planted-near-duplicates.js';
import type { Document } from '../../../pipeline/document.js';
import { bucketBands } from './bucket-bands.js';
import { clusterDuplicates } from './cluster-duplicates.js';
import { computeSignatures } from './compute-signatures.js';
import { filterDuplicates } from './filter-duplicates.js';
import { nearDedup, type NearDedupResult } from './near-dedup.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-near-'));
let docs: Document[];
let pairs: PlantedPair[];
let parts: string[];
let first: NearDedupResult;

function digestDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      out[f] = createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex').slice(0, 16);
    } catch { /* a directory */ }
  }
  return out;
}

beforeAll(async () => {
  ({ docs, pairs } = plantedBookCorpus(corpus('books'), { seed: 7 }));
  parts = await writeParts(docs, path.join(tmp, 'in'), 4);
  first = await nearDedup({ parts, workDir: path.join(tmp, 'w0'), outDir: path.join(tmp, 'o0'), workers: 0 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MinHash near-dedup on planted near-duplicates of real books', () => {
  it('catches pairs at J >= 0.85 (recall >= 0.95) and almost never pairs at J <= 0.6 (<= 1%)', async () => {
    const removed = await readRemoved<{ id: string; duplicate_of: string; cluster: number }>(path.join(tmp, 'w0'), parts.length);
    const q = scorePlanted(pairs, removed);
    expect(q.high.pairs).toBeGreaterThanOrEqual(50);
    expect(q.low.pairs).toBeGreaterThanOrEqual(40);
    expect(q.high.recall).toBeGreaterThanOrEqual(0.95);
    expect(q.low.falseRate).toBeLessThanOrEqual(0.01);
    expect(q.unexpectedRemovals).toBeLessThanOrEqual(1);
    // The removed documents and the counters agree; one kept per cluster.
    expect(first.filter['dropped:near_duplicate']).toBe(removed.length);
    expect(first.filter.kept! + removed.length).toBe(docs.length);
    expect(first.clusters.duplicates).toBe(removed.length);
    expect(Object.entries(first.clusters.histogram).reduce((a, [s, n]) => a + (Number(s) - 1) * n, 0)).toBe(removed.length);
  });

  it('keeps the first document of each cluster in (part, line) order and records it', async () => {
    const removed = await readRemoved<{ id: string; duplicate_of: string; reason: string }>(path.join(tmp, 'w0'), parts.length);
    const order = new Map<string, number>();
    let i = 0;
    for (const f of parts) for await (const d of readDocuments(f)) order.set(d.id, i++);
    for (const r of removed) {
      expect(r.reason).toBe('near_duplicate');
      expect(order.get(r.duplicate_of)!).toBeLessThan(order.get(r.id)!);
    }
    const kept = new Set<string>();
    for (const f of readdirSync(path.join(tmp, 'o0')).sort()) for await (const d of readDocuments(path.join(tmp, 'o0', f))) kept.add(d.id);
    for (const r of removed) {
      expect(kept.has(r.id)).toBe(false);
      expect(kept.has(r.duplicate_of)).toBe(true);
    }
  });

  it('writes byte-identical files with 2 workers and with phases split into 3 tasks', async () => {
    const pool = new WorkerPool({ size: 2 });
    const w = path.join(tmp, 'w1');
    const o = path.join(tmp, 'o1');
    try {
      for (let t = 2; t >= 0; t--) await computeSignatures({ parts, workDir: w, task: t, tasks: 3, pool });
    } finally {
      await pool.close();
    }
    for (let t = 0; t < 3; t++) await bucketBands({ parts: parts.length, workDir: w, task: t, tasks: 3 });
    await clusterDuplicates({ parts: parts.length, workDir: w });
    for (let t = 0; t < 3; t++) await filterDuplicates({ parts, workDir: w, outDir: o, task: t, tasks: 3 });
    const strip = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('parts')));
    expect(strip(digestDir(w))).toEqual(strip(digestDir(path.join(tmp, 'w0'))));
    expect(digestDir(o)).toEqual(digestDir(path.join(tmp, 'o0')));
  });

  it('resumes without recomputing, and refuses an input that changed between phases', async () => {
    const again = await nearDedup({ parts, workDir: path.join(tmp, 'w0'), outDir: path.join(tmp, 'o0'), workers: 0 });
    expect(again.signatures.parts_resumed).toBe(parts.length);
    expect(again.signatures.parts_computed).toBeUndefined();
    expect(again.filter).toEqual(first.filter);

    const w = path.join(tmp, 'w2');
    const copy = path.join(tmp, 'copy.jsonl');
    writeFileSync(copy, docs.slice(0, 20).map((d) => JSON.stringify(d)).join('\n') + '\n');
    await computeSignatures({ parts: [copy], workDir: w, workers: 0, options: { bands: 8, rows: 4 } });
    // Different MinHash options: the signatures are recomputed, not resumed.
    expect((await computeSignatures({ parts: [copy], workDir: w, workers: 0 })).parts_computed).toBe(1);
    expect((await computeSignatures({ parts: [copy], workDir: w, workers: 0 })).parts_resumed).toBe(1);
    await bucketBands({ parts: 1, workDir: w });
    await clusterDuplicates({ parts: 1, workDir: w });
    writeFileSync(copy, docs.slice(0, 19).map((d) => JSON.stringify(d)).join('\n') + '\n');
    await expect(filterDuplicates({ parts: [copy], workDir: w, outDir: path.join(tmp, 'o2') })).rejects.toThrow(/19 documents, but 20/);
  });

  it('counts malformed lines, skips them consistently in every phase, and handles empty documents', async () => {
    const f = path.join(tmp, 'bad.jsonl');
    const a = docs[0]!;
    writeFileSync(f, [
      JSON.stringify({ id: 'a', text: a.text }),
      '{"id": "broken", "text": ',
      JSON.stringify({ id: 'empty1', text: '  ... ' }),
      JSON.stringify({ id: 'empty2', text: '' }),
      JSON.stringify({ id: 'a-copy', text: a.text.toUpperCase() }),
      JSON.stringify({ id: 'no-text' }),
    ].join('\n') + '\n');
    const errors: string[] = [];
    const r = await nearDedup({ parts: [f], workDir: path.join(tmp, 'w3'), outDir: path.join(tmp, 'o3'), workers: 0, onError: (e) => errors.push(e.code) });
    expect(errors).toEqual(['malformed_json', 'missing_text']);
    expect(r.signatures['error:malformed_json']).toBe(1);
    expect(r.signatures.no_words).toBe(2);
    expect(r.filter).toMatchObject({ in: 4, kept: 3, 'dropped:near_duplicate': 1 });
    const removed = await readRemoved<{ id: string; duplicate_of: string }>(path.join(tmp, 'w3'), 1);
    expect(removed).toMatchObject([{ id: 'a-copy', duplicate_of: 'a', cluster_size: 2 }]);
  });
});
