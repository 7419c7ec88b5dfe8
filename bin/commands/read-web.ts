/**
 * `massivetext read` kinds for the web and news subsets: warc, html, feed. read.ts merges `webReadKinds`
 * into its table and adds `webReadOptions` to the command. The warc and html kinds yield extracted main
 * text (the extract stage runs inside the source here; `--raw` keeps the HTML with meta.format "html").
 * One Crawler (one undici dispatcher) serves a whole command and is closed when the source ends.
 */
import type { Document, Source, StageContext } from '../../pipeline/index.js';
import { MassivetextError } from '../../pipeline/index.js';
import { extractStage } from '../../stages/extract/index.js';
import { Crawler, type CrawlerOptions, htmlSource } from '../../stages/http/index.js';
import { feedSource } from '../../stages/news/index.js';
import { decodeHtml, warcSource } from '../../stages/web/index.js';
import type { ReadKind } from './read.js';

const ARCHIVE = /\.(warc|arc)(\.gz)?$/i;

/** Extra `read` flags for these kinds: [flags, description]. */
export const webReadOptions: readonly (readonly [string, string])[] = [
  ['--raw', 'warc, html: emit the decoded HTML (meta.format "html") instead of the extracted main text'],
  ['--pages <warcs>', 'feed: comma-separated WARC files with article pages, used before the network (offline snapshot)'],
  ['--offline', 'feed: never use the network; articles not in --pages fall back to the feed content'],
  ['--no-articles', 'feed: use the feed content only, do not fetch articles'],
  ['--ignore-robots', 'html, feed: do not consult robots.txt (only for sites you operate)'],
  ['--concurrency <n>', 'html, feed, warc URLs: requests in flight over all hosts (default 16)'],
  ['--per-host-delay <ms>', 'html, feed: minimum milliseconds between requests to one host (default 1000; a larger Crawl-delay wins)'],
  ['--user-agent <ua>', 'crawler User-Agent (its first word selects the robots.txt group)'],
];

function intOption(opts: Record<string, unknown>, key: string, flag: string, min: number): number | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new MassivetextError('bad_option', `${flag} must be an integer >= ${min}, got "${String(v)}"`);
  return n;
}

export function crawlerOptions(opts: Record<string, unknown>): Partial<CrawlerOptions> {
  const o: Partial<CrawlerOptions> = {};
  if (opts.allowPrivate) o.allowPrivate = true;
  if (opts.ignoreRobots) o.respectRobots = false;
  const c = intOption(opts, 'concurrency', '--concurrency', 1);
  if (c !== undefined) o.concurrency = c;
  const d = intOption(opts, 'perHostDelay', '--per-host-delay', 0);
  if (d !== undefined) o.perHostDelayMs = d;
  if (typeof opts.userAgent === 'string') o.userAgent = opts.userAgent;
  return o;
}

/** A source whose crawler is created on first use and closed when reading ends. */
function withCrawler(name: string, opts: Record<string, unknown>, make: (client: () => Crawler) => Source): Source {
  return {
    name,
    async *read(ctx: StageContext): AsyncGenerator<Document> {
      let client: Crawler | null = null;
      const get = () => (client ??= new Crawler(crawlerOptions(opts)));
      try {
        yield* make(get).read(ctx);
      } finally {
        if (client) await (client as Crawler).close();
      }
    },
  };
}

/** Runs the extract stage inside a source, unless --raw. */
function extracted(source: Source, opts: Record<string, unknown>): Source {
  if (opts.raw) return source;
  const stage = extractStage();
  return { name: source.name, read: (ctx) => stage.run(source.read(ctx), ctx) };
}

export const webReadKinds: Record<string, ReadKind> = {
  warc: {
    describe: 'WARC/ARC files or http(s) URLs (.warc, .warc.gz, .arc, .arc.gz), streamed; HTML responses, main text extracted',
    open: (inputs, opts) => extracted(withCrawler('read-warc', opts, (client) =>
      warcSource(inputs, { openUrl: (url, signal) => client().openStream(url, signal) })), opts),
  },
  html: {
    describe: 'web pages by URL (or files listing URLs, one per line) through the polite crawler; main text extracted',
    open: (inputs, opts) => extracted(htmlSource(inputs, {
      crawler: crawlerOptions(opts),
      decode: (p) => {
        const d = decodeHtml(p.body, p.contentType);
        return { text: d.text, charset: d.encoding };
      },
    }), opts),
  },
  feed: {
    describe: 'RSS 2.0 / RSS 1.0 (RDF) / Atom feeds (files or URLs): one document per item, its article fetched and extracted, else the feed content; .warc(.gz) inputs are article snapshots',
    // WARC/ARC files among the inputs are snapshots of article pages (so a recipe can list them as `shared`).
    open: (inputs, opts) => feedSource(inputs.filter((i) => !ARCHIVE.test(i)), {
      pages: [
        ...inputs.filter((i) => ARCHIVE.test(i)),
        ...(typeof opts.pages === 'string' ? opts.pages.split(',').map((s) => s.trim()).filter(Boolean) : []),
      ],
      offline: Boolean(opts.offline),
      fetchArticles: opts.articles !== false,
      crawler: crawlerOptions(opts),
    }),
  },
};
