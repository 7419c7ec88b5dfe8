/**
 * Wikipedia source: MediaWiki XML dumps (`.xml`, `.xml.bz2`, `.xml.gz`, e.g. enwiki-*-pages-articles*.xml.bz2)
 * streamed page by page; article namespace only; redirects and disambiguation pages skipped and counted;
 * wikitext converted to plain text (wikitext-to-text.ts). Memory is flat in the dump size: one page at a
 * time plus a paged bitset of seen page ids (1 bit per id: ~10 MB for enwiki's ids up to ~80M).
 *
 * Counts in ctx.stats: `in` (pages read), `dropped:namespace`, `dropped:redirect`, `dropped:disambiguation`,
 * `dropped:content_model` (Lua/CSS/JSON pages), `dropped:empty` (nothing left after markup removal),
 * `duplicate_page_id` (a repeated page id gets a `~N` suffix so ids stay unique), and `error:<code>` for
 * malformed or truncated input (see dump-pages.ts), each with a warning naming the file and byte offset.
 */
import * as path from 'node:path';
import {
  type Document, type DocumentMeta, MassivetextError, type RecordError, type Source, type StageContext, type WorkerPool,
} from '../../pipeline/index.js';
import { type DumpPage, readDumpPages, type SiteInfo } from './dump-pages.js';
import { listDumpFiles } from './list-dumps.js';
import { type WikitextOptions, wikitextToText } from './wikitext-to-text.js';
import type { WikitextBatch } from './wikitext-worker.js';

export interface WikipediaSourceOptions {
  /** Namespaces kept; 0 = articles (MediaWiki's main namespace). */
  namespaces: number[];
  skipRedirects: boolean;
  skipDisambiguation: boolean;
  /** Put the title as the first line of the text (RedPajama's Wikipedia does; Gopher does not say). */
  includeTitle: boolean;
  wikitext: Partial<WikitextOptions>;
  /** Pages larger than this (bytes of XML) are skipped as errors; bounds memory. */
  maxPageBytes: number;
  /** Explicit bunzip2 program; default lbzip2 or bzip2 from PATH. */
  bunzip2?: string;
  /**
   * Convert wikitext on this worker pool (batches of pages, results in input order, so the output does not
   * depend on the pool size); without one, conversion runs on the reading thread.
   */
  pool?: WorkerPool;
  /** Pages / bytes of wikitext per pool batch. */
  batchPages: number;
  batchBytes: number;
}

export const defaultWikipediaSourceOptions: WikipediaSourceOptions = {
  namespaces: [0],
  skipRedirects: true,
  skipDisambiguation: true,
  includeTitle: false,
  wikitext: {},
  maxPageBytes: 64 << 20,
  batchPages: 256,
  batchBytes: 8 << 20,
};

/** A page that passed the namespace/redirect/disambiguation checks, waiting for its text. */
interface Candidate {
  page: DumpPage;
  site: SiteInfo;
  file: string;
  hidden: Set<string>;
}

const WORKER_URL = new URL('./wikitext-worker.js', import.meta.url).href;

const REDIRECT_RE = /^\s*#(?:redirect|weiterleitung|redirection|redirección|rinvio|doorverwijzing|перенаправление)\s*:?\s*\[\[/i;

/**
 * Disambiguation templates of English Wikipedia (Template:Disambiguation and its redirects/variants, the
 * members of Category:Disambiguation message boxes) and the __DISAMBIG__ magic word.
 */
const DISAMBIG_TEMPLATE_RE = new RegExp(
  '\\{\\{\\s*(?:' + [
    'disambiguation', 'disambig', 'disamb', 'dab', 'dbig', 'disambiguation page', 'geodis', 'geo-dis', 'hndis',
    'hndis-cleanup', 'numberdis', 'number disambiguation', 'mathdab', 'math disambiguation', 'roaddis', 'road disambiguation',
    'schooldis', 'school disambiguation', 'hospitaldis', 'hospital disambiguation', 'letter-number combination disambiguation',
    'lnd', 'airport disambiguation', 'species latin name disambiguation', 'call sign disambiguation', 'caselaw disambiguation',
    'chinese title disambiguation', 'genus disambiguation', 'mil-unit-dis', 'place name disambiguation', 'taxonomy disambiguation',
    'human name disambiguation', 'given name disambiguation', 'surname disambiguation',
  ].map((n) => n.replace(/[-]/g, '[-_ ]').replace(/ /g, '[_ ]')).join('|') + ')\\s*(?:\\||\\}\\})', 'i');

export function isRedirect(page: DumpPage): boolean {
  return page.redirect !== undefined || REDIRECT_RE.test(page.text);
}

export function isDisambiguation(title: string, wikitext: string): boolean {
  if (/\(disambiguation\)$/i.test(title)) return true;
  if (wikitext.indexOf('__DISAMBIG__') >= 0) return true;
  return DISAMBIG_TEMPLATE_RE.test(wikitext) || /\[\[\s*Category\s*:[^\]]*disambiguation pages\s*(?:\|[^\]]*)?\]\]/i.test(wikitext);
}

/** https://en.wikipedia.org/wiki/Main_Page + "Foo bar" -> https://en.wikipedia.org/wiki/Foo_bar */
export function pageUrl(site: SiteInfo, title: string): string | undefined {
  if (!site.base) return undefined;
  const i = site.base.lastIndexOf('/');
  if (i < 0) return undefined;
  return site.base.slice(0, i + 1) + encodeURI(title.replace(/ /g, '_')).replace(/\?/g, '%3F').replace(/#/g, '%23');
}

/**
 * Remembers page ids seen, to keep document ids unique: numeric ids in a paged bitset (64 KiB pages of
 * 2^19 ids, allocated on first use: ~10 MB for enwiki's dense ids up to ~80M, and bounded by the pages
 * touched when ids are sparse), other ids in a set.
 */
class SeenIds {
  private static readonly PAGE_BITS = 19;
  private pages = new Map<number, Uint8Array>();
  private other = new Set<string>();
  private repeats = new Map<string, number>();

  /** Returns 0 the first time an id is seen, then 1, 2, ... */
  visit(id: string): number {
    const n = /^\d{1,15}$/.test(id) ? Number(id) : -1;
    let seen: boolean;
    if (n >= 0 && Number.isSafeInteger(n)) {
      const pageNo = Math.floor(n / 2 ** SeenIds.PAGE_BITS);
      let page = this.pages.get(pageNo);
      if (!page) this.pages.set(pageNo, (page = new Uint8Array(2 ** (SeenIds.PAGE_BITS - 3))));
      const bit = n % 2 ** SeenIds.PAGE_BITS;
      const mask = 1 << (bit & 7);
      seen = (page[bit >>> 3]! & mask) !== 0;
      page[bit >>> 3]! |= mask;
    } else {
      seen = this.other.has(id);
      this.other.add(id);
    }
    if (!seen) return 0;
    const k = (this.repeats.get(id) ?? 0) + 1;
    this.repeats.set(id, k);
    return k;
  }
}

class WikipediaSource implements Source {
  readonly name = 'read:wikipedia';
  constructor(private readonly inputs: readonly string[], private readonly o: WikipediaSourceOptions) {}

  async *read(ctx: StageContext): AsyncGenerator<Document> {
    const seen = new Map<string, SeenIds>();
    const candidates = this.candidates(ctx);
    const pool = this.o.pool;
    if (!pool) {
      for await (const c of candidates) {
        const doc = this.emit(c, wikitextToText(c.page.text, this.o.wikitext, { hiddenNamespaces: c.hidden }), seen, ctx);
        if (doc) yield doc;
      }
      return;
    }
    const pending: Candidate[][] = [];
    const o = this.o;
    async function* batches(): AsyncGenerator<WikitextBatch> {
      let batch: Candidate[] = [];
      let bytes = 0;
      const flush = () => {
        pending.push(batch);
        const hidden = [...(batch[0]?.hidden ?? [])];
        const out: WikitextBatch = { texts: batch.map((c) => c.page.text), hidden };
        batch = [];
        bytes = 0;
        return out;
      };
      for await (const c of candidates) {
        // a batch shares one hidden-namespace set: start a new batch when the dump (hence siteinfo) changes
        if (batch.length && batch[0]!.hidden !== c.hidden) yield flush();
        batch.push(c);
        bytes += c.page.text.length;
        if (batch.length >= o.batchPages || bytes >= o.batchBytes) yield flush();
      }
      if (batch.length) yield flush();
    }
    for await (const texts of pool.map<WikitextBatch, { wikitext: Partial<WikitextOptions> }, string[]>(WORKER_URL, 'convertWikitextBatch', { wikitext: o.wikitext }, batches())) {
      const batch = pending.shift()!;
      for (let i = 0; i < batch.length; i++) {
        const doc = this.emit(batch[i]!, texts[i]!, seen, ctx);
        if (doc) yield doc;
      }
    }
  }

  /** Pages of every dump that pass the cheap checks, in dump order; drops are counted here. */
  private async *candidates(ctx: StageContext): AsyncGenerator<Candidate> {
    const files = await listDumpFiles(this.inputs);
    const namespaces = new Set(this.o.namespaces);
    for (const file of files) {
      let site: SiteInfo = { namespaces: new Map() };
      const onError = (e: RecordError) => {
        ctx.stats.error(e.code);
        ctx.reporter.warn(e.code, e.message, e.position);
      };
      const hidden = new Set<string>();
      const onSite = (s: SiteInfo) => {
        site = s;
        // localized names of the File (6), Category (14) and Media (-2) namespaces
        for (const k of [6, 14, -2]) {
          const name = s.namespaces.get(k);
          if (name) hidden.add(name.toLowerCase());
        }
      };
      const pages = readDumpPages(file, onError, onSite,
        { maxPageBytes: this.o.maxPageBytes, ...(this.o.bunzip2 === undefined ? {} : { bunzip2: this.o.bunzip2 }) });
      for await (const page of pages) {
        if (ctx.signal?.aborted) {
          await pages.return(undefined);
          return;
        }
        ctx.stats.in(page.text.length);
        if (!namespaces.has(page.ns)) {
          ctx.stats.dropped('namespace');
          continue;
        }
        if (page.model !== undefined && page.model !== 'wikitext') {
          ctx.stats.dropped('content_model');
          continue;
        }
        if (this.o.skipRedirects && isRedirect(page)) {
          ctx.stats.dropped('redirect');
          continue;
        }
        if (this.o.skipDisambiguation && isDisambiguation(page.title, page.text)) {
          ctx.stats.dropped('disambiguation');
          continue;
        }
        yield { page, site, file, hidden };
      }
    }
  }

  /** The document for a converted page, or null (counted) when nothing is left. */
  private emit(c: Candidate, converted: string, seen: Map<string, SeenIds>, ctx: StageContext): Document | null {
    const { page, site, file } = c;
    if (converted.trim() === '') {
      ctx.stats.dropped('empty');
      return null;
    }
    const text = this.o.includeTitle ? `${page.title}\n\n${converted}` : converted;
    const db = site.dbname || path.basename(file).replace(/[-.].*$/, '');
    let ids = seen.get(db);
    if (!ids) seen.set(db, (ids = new SeenIds()));
    const locator = page.id || `title:${page.title}`;
    const repeat = ids.visit(locator);
    if (repeat) {
      ctx.stats.add('duplicate_page_id');
      ctx.reporter.warn('duplicate_page_id', `${file}: page id ${locator} ("${page.title}") appears again; kept as ${locator}~${repeat}`,
        { file, offset: page.offset, record: page.ordinal });
    }
    const meta: DocumentMeta = { title: page.title, source: file };
    const url = pageUrl(site, page.title);
    if (url) meta.url = url;
    if (page.timestamp) meta.date = page.timestamp;
    if (site.lang) meta.language = site.lang;
    if (page.id) meta.pageId = page.id;
    if (page.revisionId) meta.revisionId = page.revisionId;
    return { id: `wikipedia:${db}:${locator}${repeat ? `~${repeat}` : ''}`, subset: 'wikipedia', text, meta };
  }
}

/** Wikipedia pages as `wikipedia` documents with id `wikipedia:<dbname>:<page id>`. */
export function wikipediaSource(inputs: readonly string[], options: Partial<WikipediaSourceOptions> = {}): Source {
  const o = { ...defaultWikipediaSourceOptions, ...options };
  if (!o.namespaces.length) {
    throw new MassivetextError('bad_option', 'wikipedia: namespaces must list at least one namespace', 'use [0] for articles');
  }
  return new WikipediaSource(inputs, o);
}
