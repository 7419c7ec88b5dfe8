import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../pipeline/index.js';
import { corporaDir, corpus } from '../tests/helpers/corpora.js';
import { defaultGopherRepetitionOptions, gopherRepetitionFilter, gopherRepetitionMetrics, GOPHER_REPETITION_REASONS } from './gopher-repetition.js';
import { fixtureDocuments } from './testing/fixture-docs.js';

const doc = (text: string): Document => ({ id: 't', subset: 'web', text, meta: {} });
const filter = gopherRepetitionFilter();
const reason = (text: string) => {
  const v = filter.check(doc(text));
  return v.keep ? 'keep' : v.reason;
};

let docs: Map<string, string>;
/** The one fixture document whose id contains `part`. */
const find = (part: string): string => {
  const hits = [...docs.keys()].filter((k) => k.includes(part));
  if (hits.length !== 1) throw new Error(`fixture "${part}" matched ${hits.length} documents`);
  return docs.get(hits[0]!)!;
};
const book = (n: string) => readFileSync(corpus(`books/gutenberg-clean/${n}.txt`), 'utf8');

beforeAll(async () => {
  docs = await fixtureDocuments(corporaDir);
});

// gopher-spec.md §8: three strings with each peer's value computed from its source.
const A = 'the cat sat on the mat\nthe cat sat on the mat\na dog ran in the park today\nthe cat sat on the mat';
const B = 'one two three four five six one two three four five six one two three four five six seven eight nine ten eleven twelve';
const C = 'first paragraph has some words\n\nfirst paragraph has some words\n\nthe second one is different and longer than the first';

describe('gopher repetition: the spec §8 test vectors', () => {
  it('canonical reading = the NeMo column (after-the-first duplicates, de-overlapped n-grams, len(text))', () => {
    const a = gopherRepetitionMetrics(A);
    expect(a.duplicateLineFraction).toBeCloseTo(0.5, 3);
    expect(a.duplicateLineCharFraction).toBeCloseTo(0.458, 3);
    expect(a.topNgram[2]).toBeCloseTo(0.219, 3);
    expect(a.topNgram[4]).toBeCloseTo(0.4375, 4);
    expect(a.duplicateNgram[5]).toBeCloseTo(0.458, 3);
    expect(a.duplicateNgram[6]).toBeCloseTo(0.458, 3);
    const b = gopherRepetitionMetrics(B);
    for (const n of [5, 7, 10]) expect(b.duplicateNgram[n]).toBeCloseTo(0.466, 3);
    const c = gopherRepetitionMetrics(C);
    expect(c.duplicateParagraphFraction).toBeCloseTo(0.333, 3);
    expect(c.duplicateParagraphCharFraction).toBeCloseTo(0.256, 3);
    expect(c.duplicateLineFraction).toBeCloseTo(0.333, 3);
    expect(c.duplicateNgram[5]).toBeCloseTo(0.256, 3);
  });

  it('dolma reading (overlap n-grams, all lines, first occurrences, non-whitespace chars) = the dolma v1 column', () => {
    const dolma = { duplicateNgramCoverage: 'overlap', lines: 'all', countFirstOccurrence: true, charDenominator: 'non-whitespace' } as const;
    const a = gopherRepetitionMetrics(A, dolma);
    expect(a.duplicateLineFraction).toBeCloseTo(0.75, 3);
    expect(a.duplicateLineCharFraction).toBeCloseTo(0.917, 3);
    expect(a.duplicateNgram[5]).toBeCloseTo(0.277, 3);
    expect(a.duplicateNgram[6]).toBeCloseTo(0.147, 3);
    const b = gopherRepetitionMetrics(B, dolma);
    expect(b.duplicateNgram[5]).toBeCloseTo(0.665, 3);
    expect(b.duplicateNgram[7]).toBeCloseTo(0.636, 3);
    expect(b.duplicateNgram[10]).toBeCloseTo(0.393, 3);
    const c = gopherRepetitionMetrics(C, dolma);
    expect(c.duplicateLineFraction).toBeCloseTo(0.8, 3);
    expect(c.duplicateNgram[5]).toBeCloseTo(0.137, 3);
  });

  it('all three are removed, as under every peer', () => {
    expect(reason(A)).toBe('gopher_repetition:dup_line_fraction');
    expect(reason(B)).toBe('gopher_repetition:top_2gram');
    expect(reason(C)).toBe('gopher_repetition:dup_line_fraction');
  });

  it('skip (datatrove) scan depends on order: dup-6 can exceed dup-5', () => {
    const a = gopherRepetitionMetrics(A, { duplicateNgramCoverage: 'skip' });
    expect(a.duplicateNgram[6]!).toBeGreaterThan(a.duplicateNgram[5]!);
  });

  it('top n-gram is 0 when nothing repeats (topNgramMinCount 2), the single n-gram otherwise', () => {
    const t = 'alpha beta gamma delta';
    expect(gopherRepetitionMetrics(t).topNgram[2]).toBe(0);
    // every 2-gram occurs once; ties go to the longest ("gamma delta")
    expect(gopherRepetitionMetrics(t, { topNgramMinCount: 1 }).topNgram[2]).toBeCloseTo(11 / t.length);
  });
});

/** Real unique prose: a chapter of The First Men in the Moon, as paragraphs (blank-line separated). */
function proseParagraphs(): string[] {
  return book('1013').slice(30_000, 60_000).split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.split(/\s+/).length > 20);
}

/** Real prose with one real passage of `words` words appended again as its own line. */
function withRepeatedPassage(base: string, words: number): string {
  const w = base.split(/\s+/).filter(Boolean);
  const start = Math.floor(w.length / 3);
  return `${base}\n${w.slice(start, start + words).join(' ')}`;
}

describe('gopher repetition: one real case per drop reason', () => {
  const seen = new Set<string>();
  const expectReason = (text: string, r: string) => {
    expect(reason(text)).toBe(r);
    seen.add(r);
  };

  it('keeps real prose', () => {
    expect(reason(proseParagraphs().join('\n\n'))).toBe('keep');
    expect(reason(find('olmo-c4-sample.01.json.gz#0'))).toBe('keep');
  });

  it('dup_line_fraction: a Russian company page from Common Crawl (repeated menu lines)', () => {
    expectReason(find('01spb.ru/company'), 'gopher_repetition:dup_line_fraction');
  });

  it('dup_paragraph_fraction: real paragraphs where a one-line paragraph recurs', () => {
    const paras = proseParagraphs().slice(0, 3).map((p) => p.replace(/\n/g, '\n'));
    const short = 'CHAPTER THE SEVENTH';
    const text = [paras[0], short, paras[1], short, paras[2]].join('\n\n');
    const m = gopherRepetitionMetrics(text);
    expect(m.duplicateLineFraction).toBeLessThanOrEqual(0.3);
    expect(m.duplicateParagraphFraction).toBeCloseTo(0.2, 3); // 1 of 5: not yet
    expectReason(text + '\n\n' + short, 'gopher_repetition:dup_paragraph_fraction'); // 2 of 6
  });

  it('dup_line_char_fraction: a blog feed item that quotes a long line twice', () => {
    expectReason(find('Ubuntu-12-04-and-Ruby-1-9-3'), 'gopher_repetition:dup_line_char_fraction');
  });

  it('dup_paragraph_char_fraction: a repeated stanza of real verse, at the threshold', () => {
    // A paragraph's characters = its lines' + the newlines joining them, so a repeated k-line stanza puts the
    // paragraph measure k-1 characters above the line measure: size the rest of the text so 0.2 falls between.
    const verse = book('10089');
    // (the file has CRLF line ends; lines are trimmed so the stanza is plain LF text)
    const stanzas = verse.split(/\r?\n\s*\n/).map((s) => s.split(/\r?\n/).map((l) => l.trim()).join('\n').trim()).filter((s) => s.split('\n').length >= 6);
    const stanza = stanzas[0]!;
    const lines = stanza.split('\n');
    const lineChars = [...lines.join('')].length;
    const rest = proseParagraphs().join('\n\n');
    // total T must satisfy lineChars <= 0.2 T < lineChars + (k - 1)  =>  T in ((lineChars)/0.2 - ..., ...]
    const target = Math.floor((lineChars + (lines.length - 1) / 2) / 0.2);
    const head = `${stanza}\n\n`;
    const tail = `\n\n${stanza}`;
    const filler = rest.slice(0, target - head.length - tail.length);
    const text = head + filler + tail;
    const m = gopherRepetitionMetrics(text);
    expect(m.duplicateLineCharFraction).toBeLessThanOrEqual(0.2);
    expect(m.duplicateParagraphCharFraction).toBeGreaterThan(0.2);
    expectReason(text, 'gopher_repetition:dup_paragraph_char_fraction');
  });

  it('top_2gram: a blog post repeating one phrase', () => {
    expectReason(find('Default-to-Incognito'), 'gopher_repetition:top_2gram');
  });

  it('top_3gram: a C4 page', () => {
    expectReason(find('olmo-c4-sample.03.json.gz#6'), 'gopher_repetition:top_3gram');
  });

  it('top_4gram and dup_5gram, dup_6gram: Russian app-download feed items (boilerplate download blocks)', () => {
    expectReason(find('3d-fast-and-furious'), 'gopher_repetition:top_4gram');
    expectReason(find('zxlightcontrol'), 'gopher_repetition:dup_5gram');
    expectReason(find('talkonaut'), 'gopher_repetition:dup_6gram');
  });

  it('dup_5gram .. dup_10gram: real prose with one real passage repeated; its share picks the first rule', () => {
    const base = proseParagraphs().slice(0, 8).join('\n\n');
    const thresholds = defaultGopherRepetitionOptions.duplicateNgrams;
    for (const [i, [n, max]] of thresholds.entries()) {
      // smallest passage (in words) whose duplicate share exceeds this threshold
      let words = 10;
      while (gopherRepetitionMetrics(withRepeatedPassage(base, words)).duplicateNgram[n]! <= max) words++;
      const text = withRepeatedPassage(base, words);
      const m = gopherRepetitionMetrics(text);
      const upper = i === 0 ? Infinity : thresholds[i - 1]![1];
      expect(m.duplicateNgram[n]!, `n=${n}`).toBeLessThanOrEqual(upper); // the previous rule did not fire
      expectReason(text, `gopher_repetition:dup_${n}gram`);
    }
  });

  it('covered every reason', () => {
    expect([...seen].sort()).toEqual([...GOPHER_REPETITION_REASONS].sort());
  });
});

describe('gopher repetition: thresholds and edge cases', () => {
  it('thresholds are Table A1', () => {
    expect(defaultGopherRepetitionOptions).toMatchObject({
      maxDuplicateLineFraction: 0.3, maxDuplicateParagraphFraction: 0.3, maxDuplicateLineCharFraction: 0.2, maxDuplicateParagraphCharFraction: 0.2,
      topNgrams: [[2, 0.2], [3, 0.18], [4, 0.16]],
      duplicateNgrams: [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.1]],
    });
  });

  it('empty and whitespace-only text pass (nothing repeats; the quality filter drops them)', () => {
    expect(reason('')).toBe('keep');
    expect(reason('   \n\n \t \r\n')).toBe('keep');
  });

  it('a single 10 MB line of a real novel repeated 27 times is caught; a 10 MB single word is not repetitive', () => {
    const prose = book('1013').replace(/\s+/g, ' ');
    const line = prose.repeat(Math.ceil((10 << 20) / prose.length)).slice(0, 10 << 20);
    expect(reason(line)).toBe('gopher_repetition:dup_5gram');
    expect(reason('y'.repeat(10 << 20))).toBe('keep');
  });

  it('non-BMP characters: counted as one character (Python len), hashed by code units', () => {
    const line = '𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤 𝐛𝐫𝐨𝐰𝐧 𝐟𝐨𝐱';
    const text = `${line}\n${line}\nsomething else entirely here`;
    const m = gopherRepetitionMetrics(text);
    expect(m.duplicateLineFraction).toBeCloseTo(1 / 3);
    expect(m.duplicateLineCharFraction).toBeCloseTo(19 / (19 * 2 + 28 + 2));
  });

  it('CRLF line ends: same lines and paragraphs as LF (incl. a real CRLF file)', () => {
    const verse = book('10089');
    expect(verse.includes('\r\n')).toBe(true);
    const lfVerse = verse.replace(/\r\n/g, '\n');
    expect(gopherRepetitionMetrics(verse).duplicateLineFraction).toBe(gopherRepetitionMetrics(lfVerse).duplicateLineFraction);
    expect(gopherRepetitionMetrics(verse).duplicateParagraphFraction).toBe(gopherRepetitionMetrics(lfVerse).duplicateParagraphFraction);
    expect(reason(verse)).toBe(reason(lfVerse));
    const lf = find('01spb.ru/company');
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(reason(crlf)).toBe(reason(lf));
    const a = gopherRepetitionMetrics(lf);
    const b = gopherRepetitionMetrics(crlf);
    expect(b.duplicateLineFraction).toBe(a.duplicateLineFraction);
    expect(b.duplicateParagraphFraction).toBe(a.duplicateParagraphFraction);
    expect(gopherRepetitionMetrics(C.replace(/\n/g, '\r\n')).duplicateParagraphFraction).toBeCloseTo(0.333, 3);
  });
});
