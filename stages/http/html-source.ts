/**
 * `read html`: pages fetched by the polite crawler, as HTML documents of the web subset
 * (`meta.format = "html"`, for the extract stage). Inputs are URLs, or files listing URLs one per line
 * (blank lines and `#` comments ignored). Pages are fetched concurrently (the crawler enforces global
 * and per-host limits) and yielded in input order, so output does not depend on timing.
 * Counters: `in` per URL; `error:<code>` per failed fetch (robots_disallowed, http_status, not_html,
 * blocked_address, timeout, too_large, network ...), each also reported with the URL.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Document } from '../../pipeline/document.js';
import { MassivetextError, RecordError } from '../../pipeline/errors.js';
import type { Source, StageContext } from '../../pipeline/stage.js';
import { Crawler, type CrawlerOptions, type FetchedPage } from './crawler.js';

export interface HtmlSourceOptions {
  /** The run's crawler (one shared dispatcher); created from `crawler` options when absent, and closed after. */
  client?: Crawler;
  crawler: Partial<CrawlerOptions>;
  /** Stop after this many documents. */
  limit: number;
  /** Turns a fetched page into document text; the default decodes as UTF-8 (bin/ passes the web charset decoder). */
  decode?: (page: FetchedPage) => { text: string; charset?: string };
}

export const defaultHtmlSourceOptions: HtmlSourceOptions = { crawler: {}, limit: Infinity };

/** URLs from the inputs: literal http(s) URLs, or files of URLs (one per line). */
export async function* urlsFrom(inputs: string[]): AsyncGenerator<string> {
  for (const input of inputs) {
    if (/^https?:\/\//i.test(input)) {
      yield input;
      continue;
    }
    let lines;
    try {
      lines = createInterface({ input: input === '-' ? process.stdin : createReadStream(input), crlfDelay: Infinity });
      for await (const raw of lines) {
        const line = raw.replace(/#.*$/, '').trim();
        if (line) yield line.split(/\s+/)[0]!;
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new MassivetextError('unreadable_input', `cannot read URL list ${input}: ${err.message}`, 'give http(s) URLs or a file with one URL per line', { file: input }, { cause: e });
    }
  }
}

export function htmlSource(inputs: string[], options: Partial<HtmlSourceOptions> = {}): Source {
  const o = { ...defaultHtmlSourceOptions, ...options };
  return {
    name: 'read-html',
    async *read(ctx: StageContext): AsyncGenerator<Document> {
      const client = o.client ?? new Crawler(o.crawler);
      const window = Math.max(1, client.options.concurrency * 2);
      const pending: { url: string; result: Promise<FetchedPage | RecordError> }[] = [];
      let emitted = 0;
      const settle = async (p: { url: string; result: Promise<FetchedPage | RecordError> }): Promise<Document | null> => {
        const r = await p.result;
        ctx.stats.in();
        if (r instanceof RecordError) {
          ctx.stats.error(r.code);
          ctx.reporter.warn(r.code, r.message, r.position);
          return null;
        }
        const decoded = o.decode ? o.decode(r) : { text: r.body.toString('utf8'), charset: 'utf-8' };
        const meta: Document['meta'] = {
          url: r.url, date: r.fetchedAt, fetchedAt: r.fetchedAt, source: p.url, format: 'html', status: r.status, contentType: r.contentType,
        };
        if (decoded.charset) meta.charset = decoded.charset;
        if (r.redirects.length) meta.requestedUrl = r.requestedUrl;
        return { id: `web:${r.url}`, subset: 'web', text: decoded.text, meta };
      };
      try {
        for await (const url of urlsFrom(inputs)) {
          if (emitted >= o.limit) break;
          const result = client.fetchPage(url, ctx.signal).catch((e: unknown) =>
            e instanceof RecordError ? e : new RecordError('network', (e as Error)?.message ?? String(e), { file: url }));
          pending.push({ url, result });
          if (pending.length >= window) {
            const d = await settle(pending.shift()!);
            if (d && emitted < o.limit) {
              emitted++;
              yield d;
            }
          }
        }
        while (pending.length) {
          const d = await settle(pending.shift()!);
          if (d && emitted < o.limit) {
            emitted++;
            yield d;
          }
        }
      } finally {
        if (!o.client) await client.close();
      }
    },
  };
}
