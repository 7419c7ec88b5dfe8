import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { partName, readDocuments, writeDocumentPart } from '../../../pipeline/document-parts.js';
import type { Document } from '../../../pipeline/document.js';
import { readLines } from '../../../pipeline/lines.js';
import { unitsForTask } from '../../../pipeline/step.js';
import { corpus } from '../../../tests/helpers/corpora.js';
import { computeExactKeys } from '../exact/exact-dedup.js';
import { writeKeptParts } from './filter-parts.js';
import { layout, partsOfTask } from './work-layout.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-parts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The three real C4 sample files as document parts. */
async function c4Parts(): Promise<string[]> {
  const parts: string[] = [];
  for (const [i, f] of ['c4/olmo-c4-sample.01.json.gz', 'c4/olmo-c4-sample.02.json.gz', 'c4/olmo-c4-sample.03.json.gz'].entries()) {
    const docs: Document[] = [];
    for await (const { text, line } of readLines(corpus(f))) {
      const raw = JSON.parse(text) as { text: string; url: string };
      docs.push({ id: `${path.basename(f)}:${line}`, subset: 'c4', text: raw.text, meta: { url: raw.url } });
    }
    const file = path.join(tmp, 'in', partName(i));
    await writeDocumentPart(file, docs);
    parts.push(file);
  }
  return parts;
}

describe('dedup per-part loops', () => {
  it('split parts between tasks as pipeline steps split units, and refuse a task that does not exist', () => {
    for (const tasks of [1, 2, 3, 5]) {
      for (let t = 0; t < tasks; t++) expect(partsOfTask(7, t, tasks)).toEqual(unitsForTask([0, 1, 2, 3, 4, 5, 6], t, tasks));
    }
    expect(() => partsOfTask(7, 3, 3)).toThrow(/task 3 of 3 is not valid/);
    expect(() => partsOfTask(7, 0, 0)).toThrow(/not valid/);
  });

  it('computeParts: each task computes its parts once; a re-run resumes; new options or a touched input recompute', async () => {
    const parts = await c4Parts();
    const workDir = path.join(tmp, 'exact');
    expect((await computeExactKeys({ parts, workDir, task: 0, tasks: 2 })).parts_computed).toBe(2);
    expect((await computeExactKeys({ parts, workDir, task: 1, tasks: 2 })).parts_computed).toBe(1);
    const again = await computeExactKeys({ parts, workDir });
    expect(again.parts_resumed).toBe(3);
    expect(again.parts_computed).toBeUndefined();
    expect(again.in).toBe(30);
    utimesSync(parts[1]!, new Date(), new Date(Date.now() + 5000));
    const touched = await computeExactKeys({ parts, workDir });
    expect([touched.parts_computed, touched.parts_resumed]).toEqual([1, 2]);
    expect((await computeExactKeys({ parts, workDir, options: { urls: false } })).parts_computed).toBe(3);
    expect((await computeExactKeys({ parts, workDir, resume: false })).parts_computed).toBe(3);
  });

  it('writeKeptParts: kept documents out, removed records beside, counters last; a re-run resumes; a failed check commits nothing', async () => {
    const parts = await c4Parts();
    const workDir = path.join(tmp, 'kept-work');
    const outDir = path.join(tmp, 'kept-out');
    let opened = 0;
    const dropOdd = async () => {
      opened++;
      return { verdict: (doc: Document, ordinal: number) => (ordinal % 2 ? { id: doc.id, reason: 'odd' } : null) };
    };
    const first = await writeKeptParts({ parts, workDir, outDir, name: 'test' }, dropOdd);
    expect(first).toMatchObject({ in: 30, kept: 15, 'dropped:odd': 15 });
    const kept: string[] = [];
    for await (const d of readDocuments(path.join(outDir, partName(0)))) kept.push(d.id);
    expect(kept).toEqual([1, 3, 5, 7, 9].map((l) => `olmo-c4-sample.01.json.gz:${l}`));
    expect(existsSync(layout.removed(workDir, 2))).toBe(true);
    expect(await writeKeptParts({ parts, workDir, outDir, name: 'test' }, dropOdd)).toEqual(first);
    expect(opened).toBe(3); // the re-run opened no part

    const failOut = path.join(tmp, 'fail-out');
    await expect(writeKeptParts({ parts, workDir: path.join(tmp, 'fail-work'), outDir: failOut, name: 'test' }, async () => ({
      verdict: () => null,
      finish: (n: number) => { throw new Error(`refused after ${n} documents`); },
    }))).rejects.toThrow('refused after 10 documents');
    expect(existsSync(path.join(failOut, partName(0)))).toBe(false);
  });
});
