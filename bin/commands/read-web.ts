/**
 * `massivetext read` kinds for the web and news subsets: warc, html, feed. read-kinds.ts merges `webReadKinds`
 * into its table; read.ts adds `webReadOptions` (read-kind-list.ts) to the command. The warc and html kinds yield extracted main
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
import { readKindDescriptions } from './read-kind-list.js';

const ARCHIVE = /\.(warc|arc)(\.gz)?$/i;

function intOption(opts: Record<string, unknown>, key: string, flag: string, min: number): number | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new MassivetextError('bad_option', `${flag} must be an integer >= ${min}, got "${String(v)}"`);
  return n;
}

type NumericCrawlerOption = 'requestTimeoutMs' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'minBytesPerSecond' | 'lowSpeedWindowMs';
/** The flags of httpTimeoutOptions (read-kind-list.ts): [commander key, flag, crawler option, least value]. */
const TIMEOUT_FLAGS: readonly [string, string, NumericCrawlerOption, number][] = [
  ['timeout', '--timeout', 'requestTimeoutMs', 1],
  ['connectTimeout', '--connect-timeout', 'connectTimeoutMs', 1],
  ['headersTimeout', '--headers-timeout', 'headersTimeoutMs', 1],
  ['bodyTimeout', '--body-timeout', 'bodyTimeoutMs', 1],
  ['minSpeed', '--min-speed', 'minBytesPerSecond', 0],
  ['speedWindow', '--speed-window', 'lowSpeedWindowMs', 1],
];

export function crawlerOptions(opts: Record<string, unknown>): Partial<CrawlerOptions> {
  const o: Partial<CrawlerOptions> = {};
  if (opts.allowPrivate) o.allowPrivate = true;
  if (opts.ignoreRobots) o.respectRobots = false;
  const c = intOption(opts, 'concurrency', '--concurrency', 1);
  if (c !== undefined) o.concurrency = c;
  const d = intOption(opts, 'perHostDelay', '--per-host-delay', 0);
  if (d !== undefined) o.perHostDelayMs = d;
  if (typeof opts.userAgent === 'string') o.userAgent = opts.userAgent;
  for (const [key, flag, field, min] of TIMEOUT_FLAGS) {
    const v = intOption(opts, key, flag, min);
    if (v !== undefined) o[field] = v;
  }
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
    describe: readKindDescriptions.warc,
    open: (inputs, opts) => extracted(withCrawler('read-warc', opts, (client) =>
      warcSource(inputs, { openUrl: (url, signal) => client().openStream(url, signal) })), opts),
  },
  html: {
    describe: readKindDescriptions.html,
    open: (inputs, opts) => extracted(htmlSource(inputs, {
      crawler: crawlerOptions(opts),
      decode: (p) => {
        const d = decodeHtml(p.body, p.contentType);
        return { text: d.text, charset: d.encoding };
      },
    }), opts),
  },
  feed: {
    describe: readKindDescriptions.feed,
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
