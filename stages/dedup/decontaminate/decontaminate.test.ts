import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDocuments, writeDocumentPart } from '../../../pipeline/document-parts.js';
import type { Document } from '../../../pipeline/document.js';
import { corpus } from '../../../tests/helpers/corpora.js';
import { readRemoved } from '../common/read-removed.js';
import { chunkText, plantNearDuplicates } from '../testing/planted-near-duplicates.js';
import { buildTestIndex, contaminationOf, decontaminate } from './decontaminate.js';
import { testSetSpec } from './test-sets.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-decont-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const book = (f: string) => chunkText(readFileSync(corpus(`books/${f}`), 'utf8'));

describe('test-set decontamination', () => {
  // Test sets: passages of one real book (JSON lines) and of another (plain text, one per line).
  const evalA = book('gutenberg-clean/33956.txt').slice(0, 8);
  const evalB = book('gutenberg-clean/10089.txt').slice(0, 6).map((t) => t.replace(/\s+/g, ' '));
  const fileA = path.join(tmp, 'evalbook_test.jsonl');
  const fileB = path.join(tmp, 'other_valid.txt');
  writeFileSync(fileA, evalA.map((text, i) => JSON.stringify({ idx: i, text })).join('\n') + '\n');
  writeFileSync(fileB, evalB.join('\n') + '\n');
  const filler = readFileSync(corpus('books/sentencepiece-botchan.txt'), 'utf8');
  const bases = [...evalA.map((text, i) => ({ id: `A${i}`, text })), ...evalB.map((text, i) => ({ id: `B${i}`, text }))];
  const { pairs, docs } = plantNearDuplicates(bases, filler, [], { seed: 3, levels: [0.9, 0.82, 0.6], kinds: ['edit', 'insert'] });
  const variants = new Map(docs.map((d) => [d.id, d]));

  it('names test sets by file and indexes every test document', async () => {
    expect(testSetSpec('/x/lambada_test.jsonl.gz')).toEqual({ name: 'lambada_test', file: '/x/lambada_test.jsonl.gz' });
    expect(testSetSpec('wt103=/data/wiki.test.tokens')).toEqual({ name: 'wt103', file: '/data/wiki.test.tokens' });
    const t = await buildTestIndex([fileA, fileB]);
    expect(t.names).toEqual(['evalbook_test', 'other_valid']);
    expect(t.docsPerSet).toEqual([8, 6]);
  });

  it('drops training documents at 13-gram Jaccard >= 0.8 with the test set as reason, keeps those below', async () => {
    const t = await buildTestIndex([fileA, fileB]);
    let checked = 0;
    for (const p of pairs) {
      const v = variants.get(p.variantId)!;
      const c = contaminationOf(v.text, t);
      const set = p.baseId.startsWith('A') ? 'evalbook_test' : 'other_valid';
      if (p.jaccard >= 0.8) expect(c?.set, `${p.variantId} J=${p.jaccard}`).toBe(set);
      else expect(c, `${p.variantId} J=${p.jaccard}`).toBeNull();
      if (c) expect(c.similarity).toBeCloseTo(p.jaccard, 6); // exact, not estimated
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('containment catches a test passage quoted inside a long document; Jaccard does not', async () => {
    const t = await buildTestIndex([fileA]);
    const long = book('gutenberg-clean/1013.txt').slice(0, 6).join('\n\n') + '\n\n' + evalA[2] + '\n\n' + book('gutenberg-clean/1013.txt')[7];
    expect(contaminationOf(long, t)).toBeNull();
    expect(contaminationOf(long, t, { measure: 'containment' })).toMatchObject({ set: 'evalbook_test', similarity: 1 });
  });

  it('filters parts, records reasons, and drops Wikipedia articles by title', async () => {
    const clean = book('gutenberg-clean/1013.txt').slice(0, 10).map((text, i): Document => ({ id: `clean${i}`, subset: 'books', text, meta: {} }));
    const hot = pairs.filter((p) => p.jaccard >= 0.8).map((p) => variants.get(p.variantId)!);
    const wiki: Document[] = [
      { id: 'wiki:1', subset: 'wikipedia', text: clean[0]!.text + ' wiki', meta: { title: 'Robert Boulter' } },
      { id: 'wiki:2', subset: 'wikipedia', text: clean[1]!.text + ' wiki', meta: { title: 'Some Other Article' } },
      { id: 'web:1', subset: 'web', text: clean[2]!.text + ' web', meta: { title: 'Robert Boulter' } },
    ];
    const partA = path.join(tmp, 'p0.jsonl.zst');
    const partB = path.join(tmp, 'p1.jsonl.zst');
    await writeDocumentPart(partA, [...clean.slice(0, 5), ...hot.slice(0, 3), ...wiki]);
    await writeDocumentPart(partB, [...hot.slice(3), ...clean.slice(5)]);
    const titles = path.join(tmp, 'wt103-titles.txt');
    writeFileSync(titles, '# WikiText-103 valid+test titles\nRobert_Boulter\n');
    const w = path.join(tmp, 'w');
    const out = path.join(tmp, 'o');
    const stats = await decontaminate({ parts: [partA, partB], against: [fileA, fileB], titles, outDir: out, workDir: w });
    const nA = hot.filter((d) => d.id.startsWith('A')).length;
    const nB = hot.length - nA;
    expect(stats).toMatchObject({ in: 13 + hot.length, kept: 12, 'dropped:evalbook_test': nA, 'dropped:other_valid': nB, 'dropped:wikitext103_eval_article': 1 });
    const removed = await readRemoved<{ id: string; reason: string }>(w, 2);
    expect(removed.find((r) => r.id === 'wiki:1')?.reason).toBe('wikitext103_eval_article');
    expect(removed.some((r) => r.id === 'web:1')).toBe(false);
    const kept: string[] = [];
    for (const f of ['part-00000.jsonl.zst', 'part-00001.jsonl.zst']) for await (const d of readDocuments(path.join(out, f))) kept.push(d.id);
    expect(kept.filter((id) => id.startsWith('clean'))).toHaveLength(10);
  });

  it('gives clear errors for bad test sets', async () => {
    const bad = path.join(tmp, 'bad.jsonl');
    writeFileSync(bad, '{"text": "fine"}\n{"label": 1}\n');
    await expect(buildTestIndex([bad])).rejects.toThrow(/line 2: no text field/);
    await expect(buildTestIndex([path.join(tmp, 'missing.txt')])).rejects.toThrow(/missing\.txt/);
    const empty = path.join(tmp, 'empty.txt');
    writeFileSync(empty, '\n\n');
    await expect(buildTestIndex([empty])).rejects.toThrow(/no documents/);
  });
});
