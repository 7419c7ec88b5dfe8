/**
 * The news source: items of RSS/RDF/Atom feeds (local files or URLs), each item's article fetched through
 * the polite crawler and reduced to its main text. When the article cannot be had (no link, robots.txt,
 * HTTP error, not in the offline snapshot, or its extraction is shorter than the feed's own content), the
 * feed's content is used instead, and `meta.origin` says which: "article" or "feed-content"
 * (`meta.articleError` then holds why).
 *
 * Offline runs: `pages` names WARC files holding article responses (a snapshot, the standard web-archive
 * format: URL, capture date, HTTP headers, body). Items whose link is in the snapshot are served from it;
 * with `offline` set, nothing else is fetched. The bundled sample uses this (sample/news/).
 *
 * Counters: `in` per feed item; `origin:article` / `origin:feed-content`; `fallback:<code>` per reason
 * for using feed content; `dropped:empty` (no text at all); `error:<code>` per unreadable feed.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Document } from '../../pipeline/document.js';
import { MassivetextError, RecordError } from '../../pipeline/errors.js';
import type { Source, StageContext } from '../../pipeline/stage.js';
import { StageStats } from '../../pipeline/stats.js';
import { Crawler, FEED_TYPES, type CrawlerOptions } from '../http/index.js';
import { extractMainText, htmlToText, type ExtractOptions } from '../extract/index.js';
import { decodeHtml, warcSource } from '../web/index.js';
import { parseFeed, type Feed, type FeedItem } from './parse-feed.js';

export interface FeedSourceOptions {
  /** Fetch each item's article (default true); false uses the feed content only. */
  fetchArticles: boolean;
  /** WARC files with article pages, consulted before the network. */
  pages: string[];
  /** Never use the network: feeds must be local files and articles must be in `pages`. */
  offline: boolean;
  /** The run's crawler (one shared dispatcher); created from `crawler` when needed and closed after. */
  client?: Crawler;
  crawler: Partial<CrawlerOptions>;
  /** An extracted article shorter than this (chars) loses to a longer feed content (paywalls, teasers). */
  minArticleChars: number;
  extract: Partial<ExtractOptions>;
  /** Stop after this many documents. */
  limit: number;
}

export const defaultFeedSourceOptions: FeedSourceOptions = {
  fetchArticles: true,
  pages: [],
  offline: false,
  crawler: {},
  // Readability's charThreshold (500) is for whole pages; a news brief is often shorter, so 200.
  minArticleChars: 200,
  extract: {},
  limit: Infinity,
};

interface Article {
  text: string;
  title: string;
  url: string;
}

/** Canonical form for snapshot lookups: no fragment. */
function urlKey(u: string): string {
  try {
    const x = new URL(u);
    x.hash = '';
    return x.href;
  } catch {
    return u;
  }
}

export function feedSource(inputs: string[], options: Partial<FeedSourceOptions> = {}): Source {
  const o = { ...defaultFeedSourceOptions, ...options };
  return {
    name: 'read-feed',
    async *read(ctx: StageContext): AsyncGenerator<Document> {
      let client: Crawler | null = o.client ?? null;
      const ownClient = !o.client;
      const getClient = () => (client ??= new Crawler(o.crawler));
      const snapshot = new Map<string, { html: string; url: string }>();
      if (o.pages.length) {
        // Counted in their own stats: snapshot records are not feed items.
        const snapCtx: StageContext = { stats: new StageStats('feed-pages'), reporter: ctx.reporter, signal: ctx.signal };
        for await (const d of warcSource(o.pages).read(snapCtx)) if (d.meta.url) snapshot.set(urlKey(d.meta.url), { html: d.text, url: d.meta.url });
        for (const [k, v] of Object.entries(snapCtx.stats.counters)) if (k.startsWith('error:')) ctx.stats.add(`pages_${k}`, v);
      }

      const fetchArticle = async (link: string): Promise<Article | RecordError> => {
        const hit = snapshot.get(urlKey(link));
        if (hit) {
          const r = extractMainText(hit.html, hit.url, o.extract);
          return { text: r.text, title: r.title, url: hit.url };
        }
        if (o.offline) return new RecordError('not_in_snapshot', 'article is not in the offline snapshot', { file: link });
        try {
          const page = await getClient().fetchPage(link, ctx.signal);
          const html = decodeHtml(page.body, page.contentType).text;
          const r = extractMainText(html, page.url, o.extract);
          return { text: r.text, title: r.title, url: page.url };
        } catch (e) {
          return e instanceof RecordError ? e : new RecordError('network', (e as Error)?.message ?? String(e), { file: link });
        }
      };

      let emitted = 0;
      try {
        for (const input of inputs) {
          if (emitted >= o.limit) break;
          let feed: Feed;
          try {
            feed = await loadFeed(input, o, getClient, ctx.signal);
          } catch (e) {
            if (e instanceof RecordError) {
              ctx.stats.error(e.code);
              ctx.reporter.warn(e.code, e.message, e.position);
              continue;
            }
            throw e;
          }
          const window = Math.max(1, (client ?? o.client)?.options.concurrency ?? 16);
          const jobs: { item: FeedItem; index: number; article: Promise<Article | RecordError | null> }[] = [];
          const settle = async (job: typeof jobs[number]): Promise<Document | null> => {
            ctx.stats.in();
            const article = await job.article;
            return toDocument(job.item, job.index, article, input, feed, o, ctx);
          };
          for (let i = 0; i < feed.items.length; i++) {
            const item = feed.items[i]!;
            const article = o.fetchArticles && item.link ? fetchArticle(item.link) : Promise.resolve(null);
            jobs.push({ item, index: i, article });
            if (jobs.length >= window) {
              const d = await settle(jobs.shift()!);
              if (d && emitted < o.limit) {
                emitted++;
                yield d;
              }
            }
          }
          while (jobs.length) {
            const d = await settle(jobs.shift()!);
            if (d && emitted < o.limit) {
              emitted++;
              yield d;
            }
          }
        }
      } finally {
        if (ownClient && client) await client.close();
      }
    },
  };
}

async function loadFeed(input: string, o: FeedSourceOptions, client: () => Crawler, signal?: AbortSignal): Promise<Feed> {
  if (/^https?:\/\//i.test(input)) {
    if (o.offline) throw new RecordError('offline', 'feed URL given in offline mode', { file: input }, 'give a local feed file, or drop --offline');
    const page = await client().fetchPage(input, signal, FEED_TYPES);
    return parseFeed(decodeHtml(page.body, page.contentType, { xml: true }).text, page.url);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (e) {
    throw new MassivetextError('unreadable_input', `cannot read feed ${input}: ${(e as Error).message}`, 'check the path', { file: input }, { cause: e });
  }
  const feed = parseFeed(decodeHtml(bytes, undefined, { xml: true }).text, input);
  return feed;
}

function toDocument(item: FeedItem, index: number, article: Article | RecordError | null, input: string, feed: Feed,
  o: FeedSourceOptions, ctx: StageContext): Document | null {
  const feedText = item.contentHtml ? htmlToText(item.contentHtml) : '';
  let text = '';
  let origin: 'article' | 'feed-content' = 'feed-content';
  let articleError: string | undefined;
  if (article instanceof RecordError) articleError = article.code;
  else if (article === null) articleError = o.fetchArticles ? 'no_link' : 'not_fetched';
  else if (article.text.length >= o.minArticleChars || article.text.length >= feedText.length) {
    text = article.text;
    origin = 'article';
  } else articleError = 'short_article';
  if (origin === 'feed-content') {
    text = feedText;
    ctx.stats.add(`fallback:${articleError}`);
  }
  if (!text.trim()) {
    ctx.stats.dropped('empty');
    return null;
  }
  ctx.stats.add(`origin:${origin}`);
  const locator = item.link ?? item.id ?? `${path.basename(input)}#${index + 1}`;
  const meta: Document['meta'] = {
    url: item.link,
    title: item.title || (article && !(article instanceof RecordError) ? article.title : undefined),
    date: item.published,
    origin,
    source: `${input}#${index + 1}`,
    feed: feed.title || input,
  };
  if (articleError) meta.articleError = articleError;
  if (item.author) meta.authors = [item.author];
  if (item.categories.length) meta.subjects = item.categories;
  if (feed.language) meta.language = feed.language;
  return { id: `news:${locator}`, subset: 'news', text, meta };
}

