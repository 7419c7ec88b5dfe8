import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../pipeline/index.js';
import { corporaDir, corpus } from '../tests/helpers/corpora.js';
import { englishFilter, englishScore, ENGLISH_REASONS } from './english.js';
import { LANGUAGE_PROFILES } from './english-profile.js';
import { htmlToText, readFeedItems, readJsonlGz, readWarcResponses, trafilaturaPages } from './testing/fixture-docs.js';

const filter = englishFilter();
const verdict = (text: string) => {
  const v = filter.check({ id: 't', subset: 'web', text, meta: {} } satisfies Document);
  return v.keep ? 'keep' : v.reason;
};

let pages: Awaited<ReturnType<typeof trafilaturaPages>>;
let warc: { url: string; text: string }[];
let robots: string;
beforeAll(async () => {
  const wget = await readWarcResponses(corpus('warc/webarchive-commons-IAH-urls-wget.warc.gz'));
  robots = htmlToText(`<body><pre>${wget.find((r) => r.url === 'http://archive.org/robots.txt')!.html}</pre></body>`);
  pages = await trafilaturaPages(corporaDir);
  warc = (await readWarcResponses(corpus('warc/resiliparse-commoncrawl-sample.warc.gz'))).map((r) => ({ url: r.url, text: htmlToText(r.html) }));
});

describe('english filter on the multilingual fixtures', () => {
  it('drops both German trafilatura pages and keeps all 12 English ones', () => {
    const de = pages.filter((p) => p.lang === 'de');
    const en = pages.filter((p) => p.lang === 'en');
    expect(de).toHaveLength(2);
    expect(en).toHaveLength(12);
    for (const p of de) expect(verdict(p.text), p.id).not.toBe('keep');
    for (const p of en) expect(verdict(p.text), p.id).toBe('keep');
  });

  it('drops every heise (German) feed item', async () => {
    const items = await readFeedItems(corpus('feeds/rss-parser-heise.atom'));
    expect(items.length).toBeGreaterThan(10);
    const kept = items.filter((it) => verdict(it.text) === 'keep');
    expect(kept.map((k) => k.title)).toEqual([]);
  });

  it('drops >= 15 of the 16 Common Crawl excerpt pages (Chinese, Russian, German, Dutch spam)', () => {
    expect(warc).toHaveLength(16);
    const kept = warc.filter((r) => verdict(r.text) === 'keep').map((r) => r.url);
    // The one that may pass: a Chinese trading company's page with an English product list and address.
    expect(kept.length).toBeLessThanOrEqual(1);
    const reasons = new Set(warc.map((r) => verdict(r.text)));
    expect(reasons.has('english:non_latin_script')).toBe(true);
  });

  it('keeps all 40 real C4/CCNet documents, all Guardian feed items and the English books', async () => {
    for (const f of ['olmo-c4-sample.01.json.gz', 'olmo-c4-sample.02.json.gz', 'olmo-c4-sample.03.json.gz', 'dolma-cc_en_head-0091.jsonl.gz']) {
      for (const d of await readJsonlGz(corpus(`c4/${f}`))) expect(verdict(d.text), d.text.slice(0, 80)).toBe('keep');
    }
    for (const it of await readFeedItems(corpus('feeds/rss-parser-guardian.rss'))) expect(verdict(it.text), it.title).toBe('keep');
    for (const b of ['gutenberg-clean/1013.txt', 'gutenberg-clean/10089.txt', 'sentencepiece-botchan.txt']) {
      expect(verdict(readFileSync(corpus(`books/${b}`), 'utf8'))).toBe('keep');
    }
  });

  it('names the other language when a profiled one wins', () => {
    const de = pages.find((p) => p.id.includes('de.creativecommons'))!;
    const s = englishScore(de.text);
    expect(s.best).toBe('de');
    expect(s.coverage.de!).toBeGreaterThan(3 * s.coverage.en!);
    const pt = readFileSync(corpus('news-html/aeb/ground-truth.json'), 'utf8');
    const body = Object.values(JSON.parse(pt) as Record<string, { url: string; articleBody: string }>).find((v) => v.url.includes('autoracing.com.br'))!;
    expect(englishScore(body.articleBody).best).toBe('pt');
  });
});

describe('english filter: reasons and edge cases', () => {
  it('one real case per reason', () => {
    const seen = new Set<string>();
    const chinese = warc.find((r) => r.url.includes('044545.com'))!.text;
    const german = pages.find((p) => p.id.includes('die-partei'))!.text;
    seen.add(verdict(chinese));
    seen.add(verdict(german));
    seen.add(verdict('2019-11-29 12:30 +49 (0) 511 5352-0'));
    expect(verdict(german)).toBe('english:other_language');
    // Latin script, but too few words of any profiled language: a Swiss cycling-tipping statistics table (names, numbers)
    const stats = warc.find((r) => r.url.includes('tippspiel/stats_140'))!.text;
    expect(verdict(stats)).toBe('english:low_english_score');
    seen.add(verdict(stats));
    // archive.org's robots.txt: paths and user agents, but its English comments just carry it
    expect(englishScore(robots).coverage.en!).toBeGreaterThan(0.15);
    expect([...seen].sort()).toEqual([...ENGLISH_REASONS].sort());
  });

  it('empty, whitespace-only and digit-only text have no letters', () => {
    expect(verdict('')).toBe('english:no_letters');
    expect(verdict(' \r\n\t ')).toBe('english:no_letters');
  });

  it('very short Latin text is kept (too little evidence), non-Latin short text is not', () => {
    expect(verdict('Hello')).toBe('keep');
    expect(verdict('Привет мир')).toBe('english:non_latin_script');
  });

  it('non-BMP letters and emoji; CRLF; a 10 MB single line reads only maxChars', () => {
    const c4 = readFileSync(corpus('books/sentencepiece-botchan.txt'), 'utf8').slice(0, 20_000);
    expect(verdict(c4.replace(/\n/g, '\r\n'))).toBe('keep');
    expect(verdict(c4.replace(/\. /g, '. 😀 '))).toBe('keep');
    expect(verdict('𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤 𝐛𝐫𝐨𝐰𝐧 𝐟𝐨𝐱 is here')).toBe('english:non_latin_script');
    const line = c4.replace(/\s+/g, ' ').repeat(600).slice(0, 10 << 20);
    expect(verdict(line)).toBe('keep');
    expect(englishScore(line).words).toBeLessThan(20_000); // only the first 50,000 characters were read
  });

  it('profiles: generated, 300 words each, English first word "the"', () => {
    expect(Object.keys(LANGUAGE_PROFILES).length).toBeGreaterThanOrEqual(10);
    for (const [lang, words] of Object.entries(LANGUAGE_PROFILES)) expect(words.split(' ').length, lang).toBe(300);
    expect(LANGUAGE_PROFILES.en!.split(' ')[0]).toBe('the');
  });
});
