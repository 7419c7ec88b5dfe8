import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../../tests/helpers/corpora.js';
import type { Document } from '../../pipeline/document.js';
import { StageStats } from '../../pipeline/stats.js';
import { decodeHtml, warcResponseRecord } from '../web/index.js';
import { feedSource, type FeedSourceOptions } from './feed-source.js';
import { parseFeed } from './parse-feed.js';

const feedFile = (name: string) => corpus(`feeds/${name}`);
const parse = (name: string, url?: string) => parseFeed(decodeHtml(readFileSync(feedFile(name)), undefined, { xml: true }).text, url);

interface Expected { title?: string; link?: string; isoDate?: string }

describe('parseFeed matches rss-parser on real feeds (titles, links, dates)', () => {
  const cases: [string, string, string, number][] = [
    ['craigslist', 'rss-parser-craigslist.rss', 'rdf', 25],
    ['feedburner', 'rss-parser-feedburner.atom', 'atom', 25],
    ['guardian', 'rss-parser-guardian.rss', 'rss', 55],
    ['heise', 'rss-parser-heise.atom', 'atom', 15],
  ];
  for (const [name, file, format, n] of cases) {
    it(name, () => {
      const expected = JSON.parse(readFileSync(feedFile(`rss-parser-expected/${name}.json`), 'utf8')) as { feed: { title: string; items: Expected[] } };
      const feed = parse(file);
      expect(feed.format).toBe(format);
      expect(feed.items).toHaveLength(n);
      expect(feed.title).toBe(expected.feed.title.trim());
      expected.feed.items.forEach((e, i) => {
        const got = feed.items[i]!;
        // rss-parser keeps the XML's surrounding whitespace in titles (one heise title ends in a space); we trim.
        expect(got.title, `${name}[${i}].title`).toBe((e.title ?? '').trim());
        expect(got.link, `${name}[${i}].link`).toBe(e.link);
        expect(got.published, `${name}[${i}].date`).toBe(e.isoDate);
      });
    });
  }

  it('decodes entities exactly once (craigslist double-escaped dollar signs stay as rss-parser has them)', () => {
    const t = parse('rss-parser-craigslist.rss').items[0]!.title;
    expect(t).toContain('&#x0024;4300');
  });

  it('reads RSS 1.0, Atom xhtml content, guid permalinks and authors (feedparser examples)', () => {
    const rdf = parse('feedparser-rss10.rdf');
    expect(rdf.items[0]).toMatchObject({ title: 'First of all', author: 'Aaron Swartz', published: '2004-05-30T20:23:54.000Z' });
    const atom = parse('feedparser-atom10.xml');
    expect(atom.items[0]!.contentHtml).toMatch(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml">Watch out for/);
    const rss2 = parse('node-feedparser-rss2sample.xml');
    expect(rss2.items.map((i) => i.link)).toEqual([
      // The second item has no <link>; its guid is a permalink (RSS 2.0: isPermaLink defaults to true).
      'http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp', 'http://liftoff.msfc.nasa.gov/2003/05/30.html#item572',
      'http://liftoff.msfc.nasa.gov/news/2003/news-VASIMR.asp', 'http://liftoff.msfc.nasa.gov/news/2003/news-laundry.asp',
    ]);
  });

  it('decodes a Russian Atom feed and rejects a document that is not a feed', () => {
    const ru = parse('feedparser-large_atom_feed_that_needs_css_sanitisation.xml');
    expect(ru.items[0]!.title).toBe('Невидимая броня для Вашего Nokia 5800');
    expect(() => parseFeed('<html><body>no</body></html>', 'x.html')).toThrow(/not an RSS, RDF or Atom feed/);
    expect(() => parseFeed('<rss><channel><item></rss>', 'x.xml')).toThrow(/not well-formed/);
  });
});

// Articles for the rss2sample feed's items: real news pages from Mozilla Readability's test set, served
// locally under the items' paths (the feed's host is rewritten to the local server).
const ARTICLES: Record<string, string> = {
  '/news/2003/news-starcity.asp': 'news-html/readability/bbc-1/source.html',
  '/news/2003/news-VASIMR.asp': 'news-html/readability/ars-1/source.html',
  // news-laundry.asp is missing: 404, so that item falls back to its feed content.
};

async function read(inputs: string[], options: Partial<FeedSourceOptions>) {
  const stats = new StageStats('read-feed');
  const warnings: string[] = [];
  const ctx = { stats, reporter: { progress() {}, info() {}, warn: (code: string) => { warnings.push(code); } } };
  const docs: Document[] = [];
  for await (const d of feedSource(inputs, options).read(ctx)) docs.push(d);
  return { docs, stats: stats.counters, warnings };
}

describe('feedSource', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let localFeed: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const rel = ARTICLES[req.url!];
      if (rel) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(corpus(rel)));
      if (req.url === '/feed.xml') return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(readFileSync(localFeed));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'mt-feed-'));
    localFeed = path.join(dir, 'rss2sample-local.xml');
    writeFileSync(localFeed, readFileSync(feedFile('node-feedparser-rss2sample.xml'), 'utf8').replaceAll('http://liftoff.msfc.nasa.gov', base));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const crawler = { allowPrivate: true, perHostDelayMs: 0, retries: 0 };

  it('fetches and extracts articles, falling back to feed content when an article is missing', async () => {
    const { docs, stats } = await read([localFeed], { crawler });
    expect(docs).toHaveLength(4);
    const [starcity, guidOnly, vasimr, laundry] = docs;
    expect(starcity!.meta).toMatchObject({ origin: 'article', url: `${base}/news/2003/news-starcity.asp`, title: 'Star City', date: '2003-06-03T09:39:21.000Z' });
    expect(starcity!.subset).toBe('news');
    expect(starcity!.text).toContain('President Barack Obama'); // the served BBC article's text
    expect(vasimr!.meta.origin).toBe('article');
    // Its guid permalink is not served (404): feed content.
    expect(guidOnly!.meta).toMatchObject({ origin: 'feed-content', articleError: 'http_status', url: `${base}/2003/05/30.html#item572` });
    expect(guidOnly!.text).toContain('Sky watchers in Europe, Asia, and parts of Alaska');
    expect(laundry!.meta).toMatchObject({ origin: 'feed-content', articleError: 'http_status' });
    expect(laundry!.text).toMatch(/^Compared to earlier spacecraft, the International Space Station has many luxuries/);
    expect(stats).toMatchObject({ in: 4, 'origin:article': 2, 'origin:feed-content': 2, 'fallback:http_status': 2 });
  });

  it('reads a feed by URL through the crawler', async () => {
    const { docs } = await read([`${base}/feed.xml`], { crawler, fetchArticles: false });
    expect(docs.map((d) => d.meta.origin)).toEqual(['feed-content', 'feed-content', 'feed-content', 'feed-content']);
  });

  it('serves articles from a WARC snapshot offline, and says which were missing', async () => {
    const warc = path.join(dir, 'pages.warc.gz');
    writeFileSync(warc, Buffer.concat(Object.entries(ARTICLES).map(([p, rel]) => warcResponseRecord({
      url: `${base}${p}`, date: '2018-01-31T00:00:00Z', contentType: 'text/html; charset=utf-8', body: readFileSync(corpus(rel)),
    }))));
    server.closeAllConnections();
    const { docs, stats } = await read([localFeed], { pages: [warc], offline: true });
    expect(docs.map((d) => d.meta.origin)).toEqual(['article', 'feed-content', 'article', 'feed-content']);
    expect(docs[3]!.meta.articleError).toBe('not_in_snapshot');
    expect(stats['fallback:not_in_snapshot']).toBe(2);
  });

  it('counts an unreadable feed as an error and reads the next one', async () => {
    const bad = path.join(dir, 'bad.xml');
    writeFileSync(bad, '<rss><channel><item><title>x</title></channel>');
    const { docs, stats, warnings } = await read([bad, feedFile('rss-parser-guardian.rss')], { fetchArticles: false });
    expect(docs).toHaveLength(55);
    expect(stats['error:malformed_feed']).toBe(1);
    expect(warnings).toEqual(['malformed_feed']);
    expect(docs[0]!.meta).toMatchObject({ title: 'Trump State of the Union address promised unity but emphasized discord', date: '2018-01-31T07:26:05.000Z', authors: ['David Smith in Washington'] });
  });

  it('decodes a legacy-encoded feed declared in its XML prolog', async () => {
    // The craigslist feed re-encoded as ISO-8859-1 with a matching declaration (SOURCES.md: legacy encodings).
    const text = readFileSync(feedFile('rss-parser-craigslist.rss'), 'utf8').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
      .replace('</title>', ' – café</title>'.replace('–', '-'));
    const latin1 = path.join(dir, 'latin1.rss');
    writeFileSync(latin1, Buffer.from(text, 'latin1'));
    const feed = parseFeed(decodeHtml(readFileSync(latin1), undefined, { xml: true }).text);
    expect(feed.title).toContain('café');
  });
});
