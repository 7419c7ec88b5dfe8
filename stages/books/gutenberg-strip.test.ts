import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../tests/helpers/corpora.js';
import { splitLinesLikePython, stripGutenbergHeaders } from './gutenberg-strip.js';

const BOOKS = ['10026', '10089', '1013', '33956'];

describe('stripGutenbergHeaders', () => {
  it.each(BOOKS)('equals c-w/gutenberg clean text %s line for line', (n) => {
    const raw = readFileSync(corpus(`books/gutenberg-raw/${n}.txt`), 'utf8');
    const expected = readFileSync(corpus(`books/gutenberg-clean/${n}.txt`), 'utf8').split(/\r\n|\n/);
    // The clean file ends with a line terminator; the stripped text does not.
    if (expected[expected.length - 1] === '') expected.pop();
    const got = stripGutenbergHeaders(raw);
    expect(got.headerFound).toBe(true);
    expect(got.footerFound).toBe(true);
    const lines = got.text.split('\n');
    let same = 0;
    for (let i = 0; i < Math.max(lines.length, expected.length); i++) if (lines[i] === expected[i]) same++;
    expect(same / expected.length).toBe(1); // match rate on the fixtures: 100%
    expect(lines.length).toBe(expected.length);
  });

  it('removes the licence: no Project Gutenberg boilerplate left in the output', () => {
    const raw = readFileSync(corpus('books/gitenberg-972/972.txt'), 'utf8');
    const { text } = stripGutenbergHeaders(raw);
    expect(raw).toContain('*** START OF THIS PROJECT GUTENBERG EBOOK');
    expect(text).not.toMatch(/PROJECT GUTENBERG/i);
    expect(text).toContain('ABASEMENT, n.');
    expect(text.length).toBeGreaterThan(raw.length * 0.8);
  });

  it('is idempotent on cleaned texts (no markers left), and strips the Botchan eBook too', () => {
    for (const n of BOOKS) {
      const clean = readFileSync(corpus(`books/gutenberg-clean/${n}.txt`), 'utf8');
      const r = stripGutenbergHeaders(clean);
      expect(r.headerFound || r.footerFound).toBe(false);
      expect(r.text).toBe(splitLinesLikePython(clean).join('\n'));
    }
    const botchan = stripGutenbergHeaders(readFileSync(corpus('books/sentencepiece-botchan.txt'), 'utf8'));
    expect(botchan.headerFound && botchan.footerFound).toBe(true);
    expect(botchan.text).not.toMatch(/gutenberg/i);
  });

  it('drops a <<THIS ELECTRONIC VERSION ... legalese block inside the text', () => {
    const raw = readFileSync(corpus('books/gutenberg-raw/10089.txt'), 'utf8').split('\r\n');
    const body = raw.findIndex((l) => l.startsWith('***START OF THE PROJECT GUTENBERG')) + 200;
    const spliced = [...raw.slice(0, body), '<<THIS ELECTRONIC VERSION OF THE WORK IS PROVIDED', 'legalese', 'SERVICE THAT CHARGES FOR DOWNLOAD>>', ...raw.slice(body)];
    const plain = stripGutenbergHeaders(raw.join('\n')).text;
    expect(stripGutenbergHeaders(spliced.join('\n')).text).toBe(plain);
  });
});
