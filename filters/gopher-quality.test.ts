import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../pipeline/index.js';
import { corporaDir, corpus } from '../tests/helpers/corpora.js';
import { documentStats } from './document-stats.js';
import { defaultGopherQualityOptions, gopherQualityFilter, gopherQualityMetrics, GOPHER_QUALITY_REASONS } from './gopher-quality.js';
import { fixtureDocuments, readFeedItems } from './testing/fixture-docs.js';

const doc = (text: string, id = 't'): Document => ({ id, subset: 'web', text, meta: {} });
const filter = gopherQualityFilter();
const reason = (text: string) => {
  const v = filter.check(doc(text));
  return v.keep ? 'keep' : v.reason;
};

let docs: Map<string, string>;
const get = (id: string): string => {
  const t = docs.get(id);
  if (t === undefined) throw new Error(`fixture ${id} missing`);
  return t;
};
const book = (n: string) => readFileSync(corpus(`books/gutenberg-clean/${n}.txt`), 'utf8');

beforeAll(async () => {
  docs = await fixtureDocuments(corporaDir);
});

describe('gopher quality: one real case per drop reason', () => {
  const seen = new Set<string>();
  const expectReason = (text: string, r: string) => {
    expect(reason(text)).toBe(r);
    seen.add(r);
  };

  it('keeps real English prose (C4, news, web pages, a novel chapter)', () => {
    for (const id of ['c4:olmo-c4-sample.01.json.gz#0', 'c4:dolma-cc_en_head-0091.jsonl.gz#0', 'html:creativecommons.org.html', 'html:github.blog.spiceland.html']) {
      expect(reason(get(id)), id).toBe('keep');
    }
    expect(reason(book('1013').slice(20_000, 60_000))).toBe('keep');
  });

  it('word_count: a 46-word C4 page, and two novels (> 100,000 words)', () => {
    expectReason(get('c4:olmo-c4-sample.01.json.gz#7'), 'gopher_quality:word_count');
    const two = book('1013') + '\n\n' + readFileSync(corpus('books/gitenberg-972/972.txt'), 'utf8') + book('10026');
    expect(documentStats(two).words).toBeGreaterThan(100_000);
    expectReason(two, 'gopher_quality:word_count');
  });

  it('mean_word_length: a Common Crawl Chinese page (no spaces: few, very long words)', () => {
    expectReason(get('warc:http://044545.com/topic/20200207/015849.html'), 'gopher_quality:mean_word_length');
    // and too short: a real line of the Brown-style tokenised text ("`` no evidence ''") has short words only when
    // punctuation is split off; Botchan's spaced-out dialogue dashes are not enough, so build from real words < 3.
    const shortWords = book('10089').split(/\s+/).filter((w) => w.length > 0 && w.length < 3).slice(0, 200).join(' ');
    expectReason(shortWords, 'gopher_quality:mean_word_length');
  });

  it('symbol_ratio_hash: archive.org robots.txt (# comments)', () => {
    expectReason(get('warc:http://archive.org/robots.txt'), 'gopher_quality:symbol_ratio_hash');
  });

  it('symbol_ratio_ellipsis: real headlines truncated to teasers ("Five words…")', async () => {
    const items = await readFeedItems(corpus('feeds/rss-parser-guardian.rss'));
    const teasers = items.map((it) => it.title.split(' ').slice(0, 6).join(' ') + '…').join(' ');
    expect(gopherQualityMetrics(teasers).ellipsisRatio).toBeGreaterThan(0.1);
    expectReason(teasers, 'gopher_quality:symbol_ratio_ellipsis');
  });

  it('bullet_lines: a real list (Guardian headlines rendered as "• item" lines, as our extractor renders <li>)', async () => {
    const items = await readFeedItems(corpus('feeds/rss-parser-guardian.rss'));
    const list = items.map((it) => `• ${it.title}`).join('\n');
    expect(gopherQualityMetrics(list).bulletLineFraction).toBe(1);
    expectReason(list, 'gopher_quality:bullet_lines');
    // markdown "-" and "*" bullets count too (canonical set), an em-dash does not
    expect(reason(items.map((it) => `- ${it.title}`).join('\n'))).toBe('gopher_quality:bullet_lines');
    expect(reason(items.map((it) => `— ${it.title}`).join('\n'))).not.toBe('gopher_quality:bullet_lines');
  });

  it('ellipsis_lines: a Guardian item whose teaser line ends in an ellipsis', () => {
    const id = 'feed:https://www.theguardian.com/us-news/video/2018/jan/31/state-of-the-union-trump-claims-extraordinary-success-in-first-year-video';
    expectReason(get(id), 'gopher_quality:ellipsis_lines');
  });

  it('alpha_words: a cycling statistics page (numbers and dates) from Common Crawl', () => {
    expectReason(get('warc:http://06.live-radsport.ch/fahrerstatistik_801/Anthony_Ravard.html'), 'gopher_quality:alpha_words');
  });

  it('stop_words: a German page and a Dutch Common Crawl page', () => {
    expectReason(get('html:die-partei.net.luebeck.html'), 'gopher_quality:stop_words');
    expectReason(get('warc:http://0900-hovenier.nl/gelderland/oosterbeek/'), 'gopher_quality:stop_words');
  });

  it('covered every reason of the separate-ratio reading', () => {
    expect([...seen].sort()).toEqual(GOPHER_QUALITY_REASONS.filter((r) => r !== 'gopher_quality:symbol_ratio').sort());
  });
});

describe('gopher quality: readings', () => {
  it('combined symbol ratio (RPv2/NeMo/dolma) gives the combined reason', () => {
    const text = get('warc:http://archive.org/robots.txt');
    expect(gopherQualityFilter({ symbolRatio: 'combined' }).check(doc(text))).toMatchObject({ keep: false, reason: 'gopher_quality:symbol_ratio' });
  });

  it('stop words: distinct (canonical) vs occurrences; lower-cased and punctuation-trimmed vs exact', () => {
    const base = get('c4:olmo-c4-sample.01.json.gz#0').split(/\s+/).filter((w) => !/^(the|be|to|of|and|that|have|with)$/i.test(w.replace(/\W/g, ''))).join(' ');
    expect(gopherQualityMetrics(base).stopWords).toBe(0);
    const once = `${base} The,`;
    const twiceSame = `${base} The, the.`;
    expect(gopherQualityMetrics(once).stopWords).toBe(1);
    expect(gopherQualityMetrics(twiceSame).stopWords).toBe(1); // distinct
    expect(gopherQualityMetrics(twiceSame, { stopWordCounting: 'occurrences' }).stopWords).toBe(2);
    expect(gopherQualityMetrics(twiceSame, { stopWordMatch: 'exact', stopWordCounting: 'occurrences' }).stopWords).toBe(0);
  });

  it('lines: blank lines are outside the denominator unless lines: all', () => {
    const text = 'The first line of the text, with enough words.\n\n\nThe second line ends with an ellipsis...\n';
    expect(gopherQualityMetrics(text).ellipsisLineFraction).toBe(0.5);
    expect(gopherQualityMetrics(text, { lines: 'all' }).ellipsisLineFraction).toBe(0.25);
  });

  it('median word length (dolma) and trimmed word length options', () => {
    const text = 'a bb "ccc," dddd';
    expect(gopherQualityMetrics(text).meanWordLength).toBe((1 + 2 + 6 + 4) / 4);
    expect(gopherQualityMetrics(text, { wordLength: 'trim-punctuation' }).meanWordLength).toBe((1 + 2 + 3 + 4) / 4);
    expect(gopherQualityMetrics(text, { wordLengthStatistic: 'median' }).meanWordLength).toBe(3);
  });

  it('thresholds are the paper\'s', () => {
    expect(defaultGopherQualityOptions).toMatchObject({
      minWords: 50, maxWords: 100_000, minMeanWordLength: 3, maxMeanWordLength: 10, maxHashRatio: 0.1, maxEllipsisRatio: 0.1,
      maxBulletLineFraction: 0.9, maxEllipsisLineFraction: 0.3, minAlphaWordFraction: 0.8, minStopWords: 2,
    });
  });
});

describe('gopher quality: edge cases', () => {
  it('empty and whitespace-only text are too short, without NaN surprises', () => {
    expect(reason('')).toBe('gopher_quality:word_count');
    expect(reason(' \n\t\r\n \u00a0\u3000 ')).toBe('gopher_quality:word_count');
    expect(documentStats('')).toEqual({ characters: 0, nonWhitespaceCharacters: 0, words: 0, meanWordLength: 0, lines: 0, nonBlankLines: 0 });
  });

  it('a single 10 MB line: one word, or 1.6M words', () => {
    expect(reason('x'.repeat(10 << 20))).toBe('gopher_quality:word_count');
    const prose = book('1013').replace(/\s+/g, ' ');
    const line = prose.repeat(Math.ceil((10 << 20) / prose.length)).slice(0, 10 << 20);
    expect(line.includes('\n')).toBe(false);
    expect(documentStats(line).words).toBeGreaterThan(1_000_000);
    expect(reason(line)).toBe('gopher_quality:word_count');
  });

  it('non-BMP characters count as one character each and as letters', () => {
    // Mathematical bold letters (U+1D400..) are \p{L}; emoji are not.
    const bold = '𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤 𝐛𝐫𝐨𝐰𝐧';
    const s = documentStats(bold);
    expect(s.characters).toBe(15); // 13 letters + 2 spaces; UTF-16 length is 28
    expect(s.meanWordLength).toBeCloseTo(13 / 3);
    expect(gopherQualityMetrics(bold).alphaWordFraction).toBe(1);
    expect(gopherQualityMetrics('😀😀 😀 𝐚').alphaWordFraction).toBeCloseTo(1 / 3);
    // real prose with an emoji after each sentence keeps its verdict
    const text = get('c4:olmo-c4-sample.01.json.gz#0');
    expect(reason(text.replace(/\. /g, '. 🙂 '))).toBe('keep');
  });

  it('CRLF line ends give the same line-based measures as LF', () => {
    const id = 'feed:https://www.theguardian.com/us-news/video/2018/jan/31/state-of-the-union-trump-claims-extraordinary-success-in-first-year-video';
    const lf = get(id);
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(reason(crlf)).toBe(reason(lf));
    const a = gopherQualityMetrics(lf);
    const b = gopherQualityMetrics(crlf);
    expect(b).toEqual(a);
    expect(documentStats(crlf).lines).toBe(documentStats(lf).lines);
    // old Mac CR-only line ends split lines too
    expect(documentStats(lf.replace(/\n/g, '\r')).lines).toBe(documentStats(lf).lines);
  });
});
