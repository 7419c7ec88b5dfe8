import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Document, MassivetextError, StageStats } from '../../pipeline/index.js';
import { repoRoot } from '../../tests/helpers/corpora.js';
import { corpusReadKinds } from './read-corpus.js';

async function readKind(kind: string, inputs: string[], opts: Record<string, unknown> = {}) {
  const stats = new StageStats(kind);
  const warnings: string[] = [];
  const docs: Document[] = [];
  const source = corpusReadKinds[kind]!.open(inputs, opts);
  for await (const d of source.read({ stats, reporter: { progress() {}, info() {}, warn: (c, m) => void warnings.push(`${c}: ${m}`) } })) docs.push(d);
  return { docs, counters: stats.counters, warnings };
}

const sample = (sub: string) => path.join(repoRoot, 'sample', sub);

describe('read kinds over the bundled sample', () => {
  it('gutenberg: 5 books, licence stripped, catalog metadata on #972; --languages filters', async () => {
    const { docs, counters, warnings } = await readKind('gutenberg', [sample('books')]);
    expect(warnings).toEqual([]);
    expect(counters.in).toBe(5);
    expect(docs.map((d) => d.id)).toEqual(['books:gutenberg:10026', 'books:gutenberg:10089', 'books:gutenberg:1013', 'books:gutenberg:33956', 'books:gutenberg:972']);
    expect(docs.every((d) => d.subset === 'books' && !/\*\*\* ?START OF/.test(d.text))).toBe(true);
    expect(docs[4]!.meta.title).toBe("The Devil's Dictionary");
    const en = await readKind('gutenberg', [sample('books')], { languages: 'en', minYear: '1990', maxYear: '2000' });
    expect(en.docs).toHaveLength(5); // #972 is English, released 1997; the others have no catalog record and are kept
    const fr = await readKind('gutenberg', [sample('books')], { languages: 'fr' });
    expect(fr.counters['dropped:language:en']).toBe(1);
  });

  it('wikipedia: articles from the two enwiki dumps, redirects counted', async () => {
    const { docs, counters, warnings } = await readKind('wikipedia', [sample('wikipedia')]);
    expect(counters.in).toBe(108);
    expect(counters['dropped:redirect']).toBe(72);
    expect(docs.length).toBe(108 - 72 - (counters['dropped:disambiguation'] ?? 0));
    expect(docs.every((d) => d.subset === 'wikipedia')).toBe(true);
    expect(warnings.every((w) => w.startsWith('duplicate_page_id'))).toBe(true);
  });

  it('code: the GPL repository is excluded', async () => {
    const { docs, counters, warnings } = await readKind('code', [sample('github')]);
    expect(warnings).toEqual([]);
    expect(counters['dropped:licence:GPL-3.0']).toBe(21);
    expect(counters.repos_kept).toBe(4);
    expect(docs).toHaveLength(70);
    expect(docs.every((d) => d.subset === 'github' && d.meta.licence !== 'GPL-3.0')).toBe(true);
  });

  it('c4: 30 documents with url and date', async () => {
    const { docs } = await readKind('c4', [sample('c4')]);
    expect(docs).toHaveLength(30);
    expect(docs.every((d) => d.subset === 'c4' && d.meta.url && d.meta.date)).toBe(true);
  });

  it('bad options are MassivetextErrors', () => {
    expect(() => corpusReadKinds.gutenberg!.open([sample('books')], { minYear: 'soon' })).toThrow(MassivetextError);
    expect(() => corpusReadKinds.gutenberg!.open([sample('books')], { yearSource: 'published' })).toThrow(/--year-source/);
  });
});
