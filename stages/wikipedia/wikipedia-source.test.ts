import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Document, type Reporter, type Source, StageStats, WorkerPool } from '../../pipeline/index.js';
import { corpus } from '../../tests/helpers/corpora.js';
import { isDisambiguation, wikipediaSource } from './wikipedia-source.js';

async function collect(source: Source) {
  const stats = new StageStats(source.name);
  const warnings: { code: string; message: string; offset?: number }[] = [];
  const reporter: Reporter = { progress() {}, info() {}, warn: (code, message, pos) => void warnings.push({ code, message, offset: pos?.offset }) };
  const docs: Document[] = [];
  for await (const d of source.read({ stats, reporter })) docs.push(d);
  return { docs, counters: stats.counters, warnings };
}

const TINY = corpus('wikipedia/tinywiki-latest-pages-articles.xml');
const ENWIKI = corpus('wikipedia/enwiki-20160407-sample-part1.xml.bz2');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'mt-wiki-'));
const MARKUP = /\{\{|\}\}|\[\[|\]\]|<ref|\{\||^\|[-}]|&[a-z]+;|'''|^=+.*=+$|thumb\|/m;

describe('wikipediaSource', () => {
  it('reads a .xml dump: articles only, redirects and disambiguation pages skipped and counted', async () => {
    const { docs, counters } = await collect(wikipediaSource([TINY]));
    expect(counters).toMatchObject({ in: 8, 'dropped:redirect': 1, 'dropped:disambiguation': 1, duplicate_page_id: 4 });
    expect(docs.map((d) => d.meta.title)).toEqual(['Hello', 'Toronto', 'Duplicate title', 'Duplicate title', 'Big Page', 'Bodmin']);
    // ids stay unique even though this hand-made dump repeats page id 1
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
    expect(docs[0]).toMatchObject({ id: 'wikipedia:tmp-wp:1', subset: 'wikipedia', text: 'hello this is wikitext\n\nThe header\n\nand some arbitrary text' });
    const toronto = docs[1]!;
    expect(toronto.text.startsWith('Toronto is the most populous city in Canada')).toBe(true);
    expect(toronto.text).toContain('\n\nBefore 1800\n\n');
    expect(toronto.meta).toMatchObject({ url: 'https://ltg.wikipedia.org/wiki/Toronto', date: '2013-03-11T10:40:33Z', pageId: '18', revisionId: '29108' });
    for (const d of docs) expect(d.text).not.toMatch(MARKUP);
  });

  it('streams a real enwiki .xml.bz2 dump through bzip2', async () => {
    const { docs, counters, warnings } = await collect(wikipediaSource([ENWIKI]));
    expect(warnings).toEqual([]);
    expect(counters.in).toBe(103);
    expect(counters['dropped:redirect']).toBe(72);
    expect(docs.length + (counters['dropped:disambiguation'] ?? 0) + 72).toBe(103);
    const anarchism = docs.find((d) => d.meta.title === 'Anarchism')!;
    expect(anarchism.id).toBe('wikipedia:enwiki:12');
    expect(anarchism.meta.url).toBe('https://en.wikipedia.org/wiki/Anarchism');
    expect(anarchism.text.startsWith('Anarchism is a political philosophy that advocates self-governed societies based on voluntary institutions.')).toBe(true);
    expect(anarchism.text).toMatch(/\n\nHistory\n\nOrigins\n\nThe earliest anarchist themes/);
    expect(anarchism.text).not.toMatch(/\n(References|External links|See also)\n/);
    for (const d of docs) expect(d.text, d.meta.title).not.toMatch(MARKUP);
  });

  it('removes table markup from table-heavy articles', async () => {
    const { docs } = await collect(wikipediaSource([corpus('wikipedia/enwiki-table-markup.xml.bz2')]));
    expect(docs.map((d) => d.meta.title)).toContain('Economy of Estonia');
    for (const d of docs) {
      expect(d.text).not.toMatch(/wikitable|colspan|rowspan|cellpadding|background:#/);
      expect(d.text).not.toMatch(MARKUP);
    }
  });

  it('takes the last revision and skips other namespaces', async () => {
    const { docs, counters } = await collect(wikipediaSource([corpus('wikipedia/mwxml-dump.xml')]));
    expect(counters['dropped:namespace']).toBe(1);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ id: 'wikipedia:enwiki:1', text: 'Revision 2 text', meta: { date: '2004-08-10T09:04:08Z', revisionId: '2' } });
  });

  it('a truncated .bz2 is an error with its position; its earlier pages and the next inputs are still read', async () => {
    const dir = tmp();
    const bytes = readFileSync(ENWIKI);
    const cut = path.join(dir, 'cut.xml.bz2');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const { docs, counters, warnings } = await collect(wikipediaSource([cut, TINY]));
    expect(counters['error:truncated_input']).toBe(1);
    const w = warnings.find((x) => x.code === 'truncated_input')!;
    expect(w.message).toContain('cut.xml.bz2');
    expect(w.message).toMatch(/after \d+ decompressed bytes \(\d+ complete pages read/);
    expect(w.offset).toBeGreaterThan(0);
    expect(counters.in).toBeGreaterThan(8 + 10);
    expect(counters.in).toBeLessThan(8 + 103);
    expect(docs.some((d) => d.meta.title === 'Anarchism')).toBe(true);
    expect(docs.some((d) => d.meta.title === 'Bodmin')).toBe(true);
  });

  it('a file that is not bzip2 at all is an error, and the next input is still read', async () => {
    const dir = tmp();
    const fake = path.join(dir, 'fake.xml.bz2');
    copyFileSync(TINY, fake);
    const { docs, counters, warnings } = await collect(wikipediaSource([fake, TINY]));
    expect(counters['error:truncated_input']).toBe(1);
    expect(warnings[0]!.message).toMatch(/fake\.xml\.bz2.*not a bzip2 file/);
    expect(docs).toHaveLength(6);
  });

  it('gzip dumps work; a truncated .gz is an error with position', async () => {
    const dir = tmp();
    const gz = gzipSync(readFileSync(TINY));
    writeFileSync(path.join(dir, 'a.xml.gz'), gz);
    writeFileSync(path.join(dir, 'b.xml.gz'), gz.subarray(0, gz.length >> 1));
    const { docs, counters } = await collect(wikipediaSource([dir]));
    expect(counters['error:truncated_input']).toBe(1);
    expect(docs.filter((d) => d.meta.source!.endsWith('a.xml.gz'))).toHaveLength(6);
  });

  it('malformed XML: an unterminated page, raw markup in text and a cut-off end are errors with byte offsets; other pages are read', async () => {
    const dir = tmp();
    const xml = readFileSync(TINY, 'utf8');
    // 1. drop the </page> of "Hello" (the first page): reported, reader resynchronises at the next <page>
    const firstClose = xml.indexOf('</page>');
    const broken = xml.slice(0, firstClose) + xml.slice(firstClose + '</page>'.length);
    // 2. raw markup inside the text of "Bodmin"
    expect(broken).toContain("'''Bodmin'''");
    const broken2 = broken.replace("'''Bodmin'''", "'''Bodmin''' <b>oops</b>");
    writeFileSync(path.join(dir, 'broken.xml'), broken2);
    // 3. a file cut in the middle of a page
    writeFileSync(path.join(dir, 'cut.xml'), xml.slice(0, xml.indexOf('The Royal Cinema')));
    const b = await collect(wikipediaSource([path.join(dir, 'broken.xml')]));
    expect(b.counters['error:malformed_xml'], JSON.stringify(b.warnings)).toBe(2);
    const unterminated = b.warnings.find((w) => /no <\/page>/.test(w.message))!;
    expect(unterminated.offset).toBe(Buffer.byteLength(xml.slice(0, xml.indexOf('<page>'))));
    expect(b.warnings.some((w) => /unescaped markup/.test(w.message) && /Bodmin/.test(w.message))).toBe(true);
    expect(b.docs.map((d) => d.meta.title)).toEqual(['Toronto', 'Duplicate title', 'Duplicate title', 'Big Page']);
    const c = await collect(wikipediaSource([path.join(dir, 'cut.xml')]));
    expect(c.counters['error:truncated_input']).toBe(1);
    expect(c.warnings.find((w) => w.code === 'truncated_input')!.message).toMatch(/ends inside page 5/);
    expect(c.docs).toHaveLength(4);
  });

  it('converting on a worker pool gives the same documents in the same order', async () => {
    const inputs = [corpus('wikipedia/enwiki-table-markup.xml.bz2'), TINY];
    const plain = await collect(wikipediaSource(inputs));
    const pool = new WorkerPool({ size: 2 });
    try {
      const pooled = await collect(wikipediaSource(inputs, { pool, batchPages: 3 }));
      expect(pooled.docs.length).toBeGreaterThan(8);
      expect(pooled.docs).toEqual(plain.docs);
      expect(pooled.counters).toEqual(plain.counters);
    } finally {
      await pool.close();
    }
  });

  it('stops the bzip2 child when the reader stops early', async () => {
    const stats = new StageStats('w');
    let n = 0;
    for await (const _ of wikipediaSource([ENWIKI]).read({ stats, reporter: { progress() {}, info() {}, warn() {} } })) if (++n === 2) break;
    expect(n).toBe(2);
  });
});

describe('isDisambiguation', () => {
  it('recognises templates, categories, titles and the magic word', () => {
    expect(isDisambiguation('Belleville', "'''Belleville''' may refer to:\n{{disambiguation|geo}}")).toBe(true);
    expect(isDisambiguation('Smith', '{{Surname}}\n{{hndis|name=Smith}}')).toBe(true);
    expect(isDisambiguation('Mercury (disambiguation)', 'x')).toBe(true);
    expect(isDisambiguation('X', '__DISAMBIG__')).toBe(true);
    expect(isDisambiguation('X', '[[Category:Place name disambiguation pages]]')).toBe(true);
    expect(isDisambiguation('Anarchism', '{{Redirect2|Anarchist|Anarchists (disambiguation)}} text')).toBe(false);
    expect(isDisambiguation('X', '{{Disambiguation needed|date=May 2010}}')).toBe(false);
  });
});

describe('bzip2 availability', () => {
  it('bzip2 is installed (Debian package bzip2)', () => {
    expect(execFileSync('bzip2', ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).length).toBeGreaterThanOrEqual(0);
  });
});
