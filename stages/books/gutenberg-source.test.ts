import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Document, type Reporter, type Source, StageStats } from '../../pipeline/index.js';
import { corpus } from '../../tests/helpers/corpora.js';
import { decodeBookBytes, ebookNumberOf, gutenbergSource } from './gutenberg-source.js';
import { parseGutenbergRdf } from './gutenberg-rdf.js';

async function collect(source: Source) {
  const stats = new StageStats(source.name);
  const warnings: string[] = [];
  const reporter: Reporter = { progress() {}, info() {}, warn: (code, msg) => void warnings.push(`${code}: ${msg}`) };
  const docs: Document[] = [];
  for await (const d of source.read({ stats, reporter })) docs.push(d);
  return { docs, counters: stats.counters, warnings };
}

describe('gutenbergSource', () => {
  it('reads raw eBooks, strips the licence, equals gutenberg-clean line for line', async () => {
    const { docs, counters } = await collect(gutenbergSource([corpus('books/gutenberg-raw')]));
    expect(docs.map((d) => d.id)).toEqual(['books:gutenberg:10026', 'books:gutenberg:10089', 'books:gutenberg:1013', 'books:gutenberg:33956']);
    expect(counters.in).toBe(4);
    for (const d of docs) {
      const n = d.id.split(':')[2];
      const expected = readFileSync(corpus(`books/gutenberg-clean/${n}.txt`), 'utf8').replace(/\r\n/g, '\n');
      expect(d.text + '\n').toBe(expected);
      expect(d.subset).toBe('books');
    }
  });

  it('attaches the RDF catalog record as metadata', async () => {
    const { docs } = await collect(gutenbergSource([corpus('books/gitenberg-972')]));
    expect(docs).toHaveLength(1);
    const d = docs[0]!;
    expect(d.id).toBe('books:gutenberg:972');
    expect(d.meta).toMatchObject({
      title: "The Devil's Dictionary", authors: ['Bierce, Ambrose'], language: 'en', date: '1997-07-01',
      licence: 'Public domain in the USA.', url: 'https://www.gutenberg.org/ebooks/972',
      subjects: ['English language -- Semantics -- Humor', 'English language -- Dictionaries -- Humor', 'Vocabulary -- Humor'],
    });
    expect(d.text.trimStart().startsWith("THE DEVIL'S DICTIONARY\n\nby Ambrose Bierce")).toBe(true);
    expect(d.text).not.toMatch(/Project Gutenberg/i);
  });

  it('filters on language', async () => {
    const inputs = [corpus('books/gitenberg-972'), corpus('books/gutenberg-raw')];
    const fr = await collect(gutenbergSource(inputs, { languages: ['fr'] }));
    expect(fr.counters['dropped:language:en']).toBe(1);
    expect(fr.docs).toHaveLength(4); // the four without a catalog record are kept by default
    const strict = await collect(gutenbergSource(inputs, { languages: ['fr'], keepWithoutCatalog: false }));
    expect(strict.docs).toHaveLength(0);
    expect(strict.counters['dropped:no_catalog']).toBe(4);
    const en = await collect(gutenbergSource(inputs, { languages: ['en'], keepWithoutCatalog: false }));
    expect(en.docs.map((d) => d.id)).toEqual(['books:gutenberg:972']);
  });

  it('filters on year (release date or author death year)', async () => {
    const input = [corpus('books/gitenberg-972')];
    expect((await collect(gutenbergSource(input, { maxYear: 1996 }))).counters['dropped:year']).toBe(1);
    expect((await collect(gutenbergSource(input, { minYear: 1997, maxYear: 1997 }))).docs).toHaveLength(1);
    const death = await collect(gutenbergSource(input, { yearSource: 'author-death', minYear: 1500, maxYear: 1900 }));
    expect(death.counters['dropped:year']).toBe(1); // Bierce died 1913
    expect((await collect(gutenbergSource(input, { yearSource: 'author-death', minYear: 1500, maxYear: 2008 }))).docs).toHaveLength(1);
  });

  it('a malformed RDF record and a truncated .txt.gz are errors with the file; the rest is still read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mt-books-'));
    copyFileSync(corpus('books/gitenberg-972/972.txt'), path.join(dir, '972.txt'));
    writeFileSync(path.join(dir, 'pg972.rdf'), readFileSync(corpus('books/gitenberg-972/pg972.rdf'), 'utf8').slice(0, 4000));
    const gz = gzipSync(readFileSync(corpus('books/gutenberg-raw/1013.txt')));
    writeFileSync(path.join(dir, '1013.txt.gz'), gz.subarray(0, gz.length >> 1));
    copyFileSync(corpus('books/gutenberg-raw/10089.txt'), path.join(dir, '10089.txt'));
    const { docs, counters, warnings } = await collect(gutenbergSource([dir]));
    expect(counters['error:malformed_rdf']).toBe(1);
    expect(counters['error:truncated_input']).toBe(1);
    expect(warnings.join('\n')).toContain('pg972.rdf');
    expect(warnings.join('\n')).toContain('1013.txt.gz');
    expect(docs.map((d) => d.id)).toEqual(['books:gutenberg:10089', 'books:gutenberg:972']);
    expect(docs[1]!.meta.title).toBeUndefined();
  });
});

describe('parseGutenbergRdf', () => {
  it('parses the catalog fields of real records', () => {
    const r = parseGutenbergRdf(readFileSync(corpus('books/gutenberg-rdf/pg14287.rdf'), 'utf8'));
    expect(r).toEqual({
      ebook: 14287, title: "L'île mystérieuse", authors: [{ name: 'Verne, Jules', birth: 1828, death: 1905 }],
      languages: ['fr'], issued: '2004-12-07', rights: 'Public domain in the USA.',
      subjects: ['Islands of the Pacific -- Fiction', 'Adventure stories', 'Science fiction', 'Castaways -- Fiction'],
      lcc: ['PQ'], bookshelves: ['FR Science fiction', 'FR Littérature', 'Science Fiction'],
    });
    const multi = parseGutenbergRdf(readFileSync(corpus('books/gutenberg-rdf/pg50405.rdf'), 'utf8'));
    expect(multi.title).toMatch(/^Uncle Wiggily's Auto Sled: or How/);
    expect(parseGutenbergRdf(readFileSync(corpus('books/gutenberg-rdf/pg23962.rdf'), 'utf8')).title).toBe('西遊記');
  });

  it('names the line of a malformed record', () => {
    const xml = readFileSync(corpus('books/gutenberg-rdf/pg5.rdf'), 'utf8').replace('</dcterms:title>', '</dcterms:titel>');
    expect(() => parseGutenbergRdf(xml, 'pg5.rdf')).toThrow(/pg5\.rdf: malformed RDF\/XML at line \d+/);
  });
});

describe('helpers', () => {
  it('ebook numbers from PG file names', () => {
    expect(['972.txt', '972-0.txt', 'pg972.txt', 'pg972.rdf', '972-8.txt.gz', 'notes.txt'].map(ebookNumberOf))
      .toEqual([972, 972, 972, 972, 972, undefined]);
  });
  it('falls back to Windows-1252 for Latin-1 eBooks', () => {
    const latin1 = Buffer.from('Les Misérables, tome I — Fantine', 'latin1');
    expect(decodeBookBytes(latin1)).toEqual({ text: 'Les Misérables, tome I \u0014 Fantine', encoding: 'windows-1252' });
    expect(decodeBookBytes(Buffer.from('Misérables')).encoding).toBe('utf-8');
  });
});
