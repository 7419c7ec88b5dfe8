/**
 * `npm run bench -- english-filter [profile] [--json]`
 *
 * - `profile`: rebuilds filters/english-profile.ts: the 300 most frequent Latin-script words per language,
 *   English from the Brown Corpus (bench corpus prose/brown) plus the even-numbered chapters of the Debian
 *   Administrator's Handbook (en-US), other languages from the even-numbered chapters of the Handbook's
 *   translations (only paragraphs that differ from the English original, i.e. really translated).
 * - default: accuracy of the English filter on held-out text: the odd-numbered Handbook chapters in every
 *   language (26, incl. non-Latin scripts), and the shared fixtures (German trafilatura pages, heise German
 *   feed, the Common Crawl WARC excerpt, English web pages, C4, Wikipedia, books, news, feeds) and English
 *   prose from the bench corpus. Reports per-source accuracy and the confusion counts.
 *
 * Needs the debian-handbook .deb (in $BENCH_CACHE/deb, as make-bench-corpus.sh leaves it, or fetched with
 * `apt-get download debian-handbook`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { englishFilter, englishScore } from '../filters/english.js';
import { letterWordStrings } from '../filters/letter-words.js';
import { htmlToText, readFeedItems, readJsonlGz, readWarcResponses, trafilaturaPages, type LabelledText } from '../filters/testing/fixture-docs.js';
import { benchCorpusDir } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.endsWith(`${path.sep}dist${path.sep}bench`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const corporaDir = process.env.MASSIVETEXT_SHARED ? path.join(process.env.MASSIVETEXT_SHARED, 'corpora') : path.resolve(repoRoot, '../shared/corpora');
const benchCache = process.env.BENCH_CACHE ?? '/work/bench-cache';
const PROFILE_WORDS = 300;

async function handbookDir(): Promise<string> {
  const out = path.join(os.tmpdir(), 'massivetext-debian-handbook');
  const html = path.join(out, 'usr/share/doc/debian-handbook/html');
  if (existsSync(html)) return html;
  const debDir = path.join(benchCache, 'deb');
  const deb = existsSync(debDir) ? (await fs.readdir(debDir)).find((f) => f.startsWith('debian-handbook_')) : undefined;
  if (!deb) throw new Error(`debian-handbook .deb not found in ${debDir}; run make-bench-corpus.sh or apt-get download debian-handbook`);
  await fs.mkdir(out, { recursive: true });
  execFileSync('dpkg-deb', ['-x', path.join(debDir, deb), out]);
  return html;
}

function paragraphs(html: string): string[] {
  const $ = cheerio.load(html);
  $('.indexterm').remove();
  return $('p, div.para')
    .map((_, el) => $(el).text().replace(/\s+/g, ' ').trim())
    .get()
    .filter((p) => p.split(' ').length >= 5);
}

/**
 * A paragraph left in English by a translation (often from an older English version, so not identical):
 * its word set has Jaccard similarity >= 0.5 with some paragraph of the English page. Independent of the
 * classifier being measured.
 */
function untranslated(p: string, english: Set<string>[]): boolean {
  const words = new Set(p.toLowerCase().split(' '));
  for (const e of english) {
    let inter = 0;
    for (const w of words) if (e.has(w)) inter++;
    if (inter / (words.size + e.size - inter) >= 0.5) return true;
  }
  return false;
}

interface HandbookPage {
  lang: string;
  file: string;
  split: 'train' | 'test';
  text: string;
}

/** Handbook pages per language: translated paragraphs only (those not identical to the en-US page's). */
async function handbookPages(): Promise<HandbookPage[]> {
  const root = await handbookDir();
  const files = (await fs.readdir(path.join(root, 'en-US'))).filter((f) => f.endsWith('.html')).sort();
  const langs = (await fs.readdir(root)).filter((d) => /^[a-z]{2}-[A-Z]{2}$/.test(d)).sort();
  const out: HandbookPage[] = [];
  for (const [i, file] of files.entries()) {
    const english = paragraphs(await fs.readFile(path.join(root, 'en-US', file), 'utf8'));
    const englishSet = new Set(english);
    const englishWords = english.map((p) => new Set(p.toLowerCase().split(' ')));
    const split = i % 2 === 0 ? 'train' : 'test';
    for (const l of langs) {
      const f = path.join(root, l, file);
      if (!existsSync(f)) continue;
      const lang = l.slice(0, 2);
      const ps = lang === 'en' ? english : paragraphs(await fs.readFile(f, 'utf8')).filter((p) => !englishSet.has(p) && !untranslated(p, englishWords));
      if (ps.length) out.push({ lang, file, split, text: ps.join('\n') });
    }
  }
  return out;
}

function topWords(texts: string[], k: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of letterWordStrings(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k).map(([w]) => w);
}

async function buildProfile(): Promise<Record<string, unknown>> {
  const pages = (await handbookPages()).filter((p) => p.split === 'train');
  const byLang = new Map<string, string[]>();
  for (const p of pages) byLang.set(p.lang, [...(byLang.get(p.lang) ?? []), p.text]);
  const brownDir = path.join(benchCorpusDir, 'prose/brown');
  const brown = await Promise.all((await fs.readdir(brownDir)).sort().map((f) => fs.readFile(path.join(brownDir, f), 'utf8')));
  byLang.set('en', [...brown, ...(byLang.get('en') ?? [])]);
  const profiles: Record<string, string> = {};
  const sizes: Record<string, number> = {};
  for (const [lang, texts] of [...byLang.entries()].sort()) {
    const words = topWords(texts, PROFILE_WORDS);
    // Latin-script languages only: a profile of a few Latin words inside Arabic/CJK/Cyrillic text is noise.
    const latinWords = texts.reduce((n, t) => n + letterWordStrings(t).length, 0);
    const joined = texts.join('\n');
    const letters = joined.match(/\p{L}/gu)?.length ?? 0;
    const latinLetters = joined.match(/\p{Script=Latin}/gu)?.length ?? 0;
    sizes[lang] = latinWords;
    if (latinLetters / letters < 0.5 || latinWords < 10_000) continue;
    profiles[lang] = words.join(' ');
  }
  const file = path.join(repoRoot, 'filters/english-profile.ts');
  const body = Object.entries(profiles)
    .map(([l, w]) => `  ${l}:\n    ${JSON.stringify(w)},`)
    .join('\n');
  await fs.writeFile(
    file,
    `/**\n * GENERATED by \`npm run bench -- english-filter profile\` (bench/english-filter.ts); do not edit.\n` +
      ` * The ${PROFILE_WORDS} most frequent lower-cased Latin letter runs per language, most frequent first.\n` +
      ` * en: Brown Corpus (1961 American English, 500 samples) + even-numbered chapters of the Debian Administrator's\n` +
      ` * Handbook (debian-handbook 11.20220922, GPL-2+/CC-BY-SA-3.0); other languages: the translated paragraphs\n` +
      ` * of the same even-numbered chapters. Odd-numbered chapters are held out for the accuracy measurement.\n */\n` +
      `export const LANGUAGE_PROFILES: Record<string, string> = {\n${body}\n};\n`,
  );
  return { wrote: path.relative(repoRoot, file), languages: Object.keys(profiles), trainingWords: sizes };
}

interface Sample extends LabelledText {
  source: string;
}

async function evaluationSet(): Promise<Sample[]> {
  const s: Sample[] = [];
  for (const p of (await handbookPages()).filter((x) => x.split === 'test')) {
    s.push({ source: `handbook-${p.lang === 'en' ? 'en' : 'other'}`, id: `${p.lang}:${p.file}`, text: p.text, lang: p.lang });
  }
  for (const p of await trafilaturaPages(corporaDir)) s.push({ ...p, source: p.lang === 'en' ? 'web-pages-en' : 'web-pages-de' });
  for (const r of await readWarcResponses(path.join(corporaDir, 'warc/resiliparse-commoncrawl-sample.warc.gz'))) {
    // All 16 pages of the Common Crawl excerpt are non-English (Chinese, Russian, German, Dutch): checked by hand.
    s.push({ source: 'commoncrawl-warc', id: r.url, text: htmlToText(r.html), lang: 'xx' });
  }
  for (const it of await readFeedItems(path.join(corporaDir, 'feeds/rss-parser-heise.atom'))) s.push({ source: 'heise-feed-de', id: it.url, text: it.text, lang: 'de' });
  for (const it of await readFeedItems(path.join(corporaDir, 'feeds/rss-parser-guardian.rss'))) s.push({ source: 'guardian-feed-en', id: it.url, text: it.text, lang: 'en' });
  // Craigslist apartment ads (English, telegraphic: "2br - 1000ft2 - ...").
  for (const it of await readFeedItems(path.join(corporaDir, 'feeds/rss-parser-craigslist.rss'))) s.push({ source: 'craigslist-ads-en', id: it.url, text: it.text, lang: 'en' });
  for (const f of ['c4/olmo-c4-sample.01.json.gz', 'c4/olmo-c4-sample.02.json.gz', 'c4/olmo-c4-sample.03.json.gz', 'c4/dolma-cc_en_head-0091.jsonl.gz']) {
    for (const [i, d] of (await readJsonlGz(path.join(corporaDir, f))).entries()) s.push({ source: 'c4-ccnet-en', id: `${f}#${i}`, text: d.text, lang: 'en' });
  }
  for (const f of ['books/gutenberg-clean/10026.txt', 'books/gutenberg-clean/10089.txt', 'books/gutenberg-clean/1013.txt', 'books/gutenberg-clean/33956.txt', 'books/sentencepiece-botchan.txt']) {
    s.push({ source: 'books-en', id: f, text: await fs.readFile(path.join(corporaDir, f), 'utf8'), lang: 'en' });
  }
  const gt = JSON.parse(await fs.readFile(path.join(corporaDir, 'news-html/aeb/ground-truth.json'), 'utf8')) as Record<string, { articleBody: string; url: string }>;
  for (const [k, v] of Object.entries(gt)) {
    const html = await fs.readFile(path.join(corporaDir, `news-html/aeb/html/${k}.html.gz`)).catch(() => null);
    // Language: the page's first lang="xx" attribute (<html lang> or, on the one Brazilian page, data-lang="pt").
    const lang = html ? (/\blang=["']?([a-z]{2})/i.exec(gunzipSync(html).toString('utf8'))?.[1]?.toLowerCase() ?? 'en') : 'en';
    s.push({ source: lang === 'en' ? 'news-en' : `news-${lang}`, id: v.url, text: v.articleBody, lang });
  }
  // English prose from the bench corpus (not the Brown samples, which trained the profile): one doc per file.
  for (const part of ['prose/sotu', 'prose/linux-docs', 'prose/python-docs', 'prose/perl-pod', 'prose/vim-help', 'prose/git-docs']) {
    const dir = path.join(benchCorpusDir, part);
    if (!existsSync(dir)) continue;
    const files = (await listRec(dir)).sort().filter((_, i) => i % 10 === 0).slice(0, 40);
    for (const f of files) {
      // perlcn/perljp/perlko/perltw.pod are the Chinese/Japanese/Korean Perl guides, written in those languages.
      const lang = /perl(cn|tw)\.pod$/.test(f) ? 'zh' : /perljp\.pod$/.test(f) ? 'ja' : /perlko\.pod$/.test(f) ? 'ko' : 'en';
      s.push({ source: `bench-${part.split('/')[1]}`, id: f, text: await fs.readFile(f, 'utf8'), lang });
    }
  }
  return s.filter((x) => x.text.trim().length > 0);
}

async function listRec(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listRec(p)));
    else out.push(p);
  }
  return out;
}

async function accuracy(args: string[]): Promise<Record<string, unknown>> {
  const samples = await evaluationSet();
  // --minEnglishCoverage=0.15 --topK=200 ...: numeric English-filter options, for tuning.
  const opts: Record<string, number> = {};
  for (const a of args) {
    const m = /^--(\w+)=([\d.]+)$/.exec(a);
    if (m) opts[m[1]!] = Number(m[2]);
  }
  const filter = englishFilter(opts);
  const perSource: Record<string, { n: number; correct: number; wrong: string[] }> = {};
  let tp = 0, fp = 0, tn = 0, fn = 0;
  const reasons: Record<string, number> = {};
  for (const x of samples) {
    const v = filter.check({ id: x.id, subset: 'web', text: x.text, meta: {} });
    const isEn = x.lang === 'en';
    const ok = v.keep === isEn;
    if (isEn && v.keep) tp++;
    else if (isEn) fn++;
    else if (v.keep) fp++;
    else tn++;
    if (!v.keep) reasons[v.reason] = (reasons[v.reason] ?? 0) + 1;
    const r = (perSource[x.source] ??= { n: 0, correct: 0, wrong: [] });
    r.n++;
    if (ok) r.correct++;
    else if (r.wrong.length < 5) {
      const sc = englishScore(x.text, opts);
      r.wrong.push(`${x.id} (${x.lang}) -> ${v.keep ? 'keep' : v.reason} en=${sc.coverage.en?.toFixed(3)} best=${sc.best}:${sc.coverage[sc.best]?.toFixed(3)} words=${sc.words}`);
    }
  }
  const table: Record<string, string> = {};
  for (const [k, v] of Object.entries(perSource).sort()) table[k] = `${v.correct}/${v.n} (${((100 * v.correct) / v.n).toFixed(1)}%)`;
  return {
    documents: samples.length,
    english: { documents: tp + fn, kept: tp, recall: tp / (tp + fn) },
    nonEnglish: { documents: tn + fp, dropped: tn, specificity: tn / (tn + fp) },
    precision: tp / (tp + fp),
    accuracy: (tp + tn) / samples.length,
    perSource: table,
    dropReasons: reasons,
    errors: args.includes('--errors') ? Object.fromEntries(Object.entries(perSource).map(([k, v]) => [k, v.wrong])) : undefined,
  };
}

export async function run(args: string[]): Promise<unknown> {
  if (args[0] === 'profile') return buildProfile();
  return accuracy(args);
}
