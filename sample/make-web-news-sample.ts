/**
 * Regenerates the bundled web and news samples (sample/web, sample/news) from Debian documentation
 * packages, whose licences allow redistribution (see sample/NOTICE-web.md and sample/NOTICE-news.md):
 *   web:  sample/web/debian-docs.warc.gz — pages of the SQLite documentation (public domain), the Advanced
 *         Bash-Scripting Guide (public domain) and the Python 3.11 documentation (PSF-2.0), as WARC
 *         response records under the URLs those pages have on the web;
 *   news: sample/news/python-whatsnew.rss — an RSS 2.0 index of the "What's New in Python" articles
 *         (titles, links, release dates, first paragraph as description), and sample/news/pages.warc.gz
 *         with the article pages themselves, so the news source reads them offline.
 * Usage: npx tsx sample/make-web-news-sample.ts [HTML_DIR]
 *   HTML_DIR defaults to /work/bench-data/corpus/html (make-bench-corpus.sh output: Debian packages
 *   sqlite3-doc 3.40.1-2+deb12u2, abs-guide 10-4, python3.11-doc 3.11.2-6+deb12u8).
 * Output bytes are deterministic (fixed record ids and dates, gzip without timestamps).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractMainText } from '../stages/extract/index.js';
import { warcinfoRecord, warcResponseRecord } from '../stages/web/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const htmlDir = process.argv[2] ?? '/work/bench-data/corpus/html';

const recordId = (url: string) => {
  const h = createHash('sha256').update(url).digest('hex');
  return `<urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}>`;
};

// Prose-heavy pages (the web subset goes through Gopher's quality filters).
const WEB: [string, string, string, string][] = [
  // [local path under htmlDir, URL, capture date, licence]
  ...['about', 'whentouse', 'testing', 'howtocorrupt', 'atomiccommit', 'lockingv3', 'arch', 'isolation', 'different',
    'famous', 'fasterthanfs', 'flextypegood', 'hirely', 'inmemorydb', 'quirks', 'serverless', 'selfcontained',
    'zeroconf', 'transactional', 'mostdeployed', 'onefile', 'qmplan', 'wal', 'datatype3', 'foreignkeys'].map((n) =>
    [`sqlite/sqlite3/${n}.html`, `https://www.sqlite.org/${n}.html`, '2022-12-28T14:23:41Z', 'public domain'] as [string, string, string, string]),
  ...['part1', 'why-shell', 'sha-bang', 'exit-status', 'quoting', 'variables', 'portabilityissues', 'localization',
    'loops', 'functions', 'regexp', 'subshells', 'gotchas', 'optimizations'].map((n) =>
    [`abs-guide/abs-guide/html/${n}.html`, `https://tldp.org/LDP/abs/html/${n}.html`, '2014-03-05T18:12:13Z', 'public domain'] as [string, string, string, string]),
  ...['tutorial/appetite', 'tutorial/interpreter', 'tutorial/introduction', 'tutorial/controlflow', 'tutorial/classes',
    'tutorial/errors', 'tutorial/floatingpoint', 'tutorial/venv', 'howto/unicode', 'howto/logging', 'faq/general',
    'faq/design'].map((n) =>
    [`python-docs/${n}.html`, `https://docs.python.org/3.11/${n}.html`, '2023-02-08T00:00:00Z', 'PSF-2.0'] as [string, string, string, string]),
];

// Python release dates (python.org/downloads), the "published" dates of the What's New articles.
const WHATSNEW: [string, string][] = [
  ['3.6', '2016-12-23T00:00:00Z'], ['3.7', '2018-06-27T00:00:00Z'], ['3.8', '2019-10-14T00:00:00Z'],
  ['3.9', '2020-10-05T00:00:00Z'], ['3.10', '2021-10-04T00:00:00Z'], ['3.11', '2022-10-24T00:00:00Z'],
];

function warc(file: string, records: Buffer[], description: string): void {
  const info = warcinfoRecord(path.basename(file), '2026-01-01T00:00:00Z', {
    software: 'massivetext sample/make-web-news-sample.ts',
    format: 'WARC File Format 1.1',
    description,
  }, recordId(file));
  writeFileSync(file, Buffer.concat([info, ...records]));
  process.stderr.write(`wrote ${file}: ${records.length} records\n`);
}

const webRecords = WEB.map(([rel, url, date]) => warcResponseRecord({
  url, date, contentType: 'text/html', body: readFileSync(path.join(htmlDir, rel)), recordId: recordId(url), // charset: from the page (abs-guide is ISO-8859-1)
}));
warc(path.join(here, 'web/debian-docs.warc.gz'), webRecords,
  'Pages of the SQLite, Advanced Bash-Scripting Guide and Python 3.11 documentation, from Debian packages sqlite3-doc, abs-guide, python3.11-doc');

const rfc822 = (iso: string) => new Date(iso).toUTCString();
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const items: string[] = [];
const pageRecords: Buffer[] = [];
for (const [v, date] of WHATSNEW) {
  const body = readFileSync(path.join(htmlDir, `python-docs/whatsnew/${v}.html`));
  const url = `https://docs.python.org/3.11/whatsnew/${v}.html`;
  const { title, text } = extractMainText(body.toString('utf8'), url);
  const first = text.split('\n\n').find((p) => /^This article explains/.test(p)) ?? text.split('\n\n')[1] ?? '';
  items.push(`    <item>
      <title>${esc(title.replace(/\s+—\s+Python.*$/, ''))}</title>
      <link>${url}</link>
      <guid isPermaLink="true">${url}</guid>
      <pubDate>${rfc822(date)}</pubDate>
      <description>${esc(first)}</description>
    </item>`);
  pageRecords.push(warcResponseRecord({ url, date: '2023-02-08T00:00:00Z', contentType: 'text/html; charset=utf-8', body, recordId: recordId(url) }));
}
writeFileSync(path.join(here, 'news/python-whatsnew.rss'), `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by sample/make-web-news-sample.ts: an index of the "What's New in Python" articles of the
     Python 3.11 documentation (PSF-2.0); titles and descriptions are taken from the pages themselves. -->
<rss version="2.0">
  <channel>
    <title>What's New in Python</title>
    <link>https://docs.python.org/3.11/whatsnew/index.html</link>
    <description>The "What's New" article of each Python release</description>
    <language>en</language>
${items.join('\n')}
  </channel>
</rss>
`);
warc(path.join(here, 'news/pages.warc.gz'), pageRecords, 'What\'s New in Python 3.6-3.11, from Debian package python3.11-doc');
