/**
 * Books source: Project Gutenberg plain-text eBooks with the licence header and footer stripped, and the
 * eBook's RDF catalog record (when one is among the inputs) attached as metadata, with a filter on
 * language and year.
 *
 * Inputs are files or directories: `*.txt` / `*.txt.gz` are eBooks, `*.rdf` are catalog records. An eBook
 * is matched to its record by number (`972.txt`, `972-0.txt`, `pg972.txt` <-> `pg972.rdf` /
 * `rdf:about="ebooks/972"`). Records are parsed only for eBooks that are present, so pointing at the whole
 * catalog (70k records) costs only the matching ones.
 *
 * Counts in ctx.stats: `in` (eBooks read), `dropped:language:<code>`, `dropped:year`, `dropped:no_catalog`,
 * `dropped:empty`, `error:malformed_rdf`, `error:unreadable_input`, and `no_gutenberg_markers` for texts
 * without a PG header/footer (kept as they are).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type Document, type DocumentMeta, RecordError, type Source, type StageContext,
} from '../../pipeline/index.js';
import { type GutenbergRecord, parseGutenbergRdf } from './gutenberg-rdf.js';
import { stripGutenbergHeaders } from './gutenberg-strip.js';
import { listInputFiles } from '../../pipeline/list-input-files.js';

export interface GutenbergSourceOptions {
  /**
   * Keep only books whose catalog language is one of these (RFC 4646 codes, e.g. ["en"]); null keeps all.
   * MassiveText applies its English filter to every subset (Rae et al. 2021, Table A1), so English-only is
   * the natural setting for a Gopher recipe; the language filter stage downstream catches the rest.
   */
  languages: string[] | null;
  /** Keep books whose year (see yearSource) is >= minYear / <= maxYear; null = no bound. */
  minYear: number | null;
  maxYear: number | null;
  /**
   * Which year the bounds apply to. PG catalogs have no original publication date: `issued` is the date
   * the eBook was released on gutenberg.org (1971+); `author-death` is the last author's death year, an
   * upper bound on when the work was written (the Gopher datasheet's "publication years 1500-2008" is
   * closest to this one).
   */
  yearSource: 'issued' | 'author-death';
  /** Books without a catalog record cannot be judged by language/year: keep them (true) or drop (`no_catalog`). */
  keepWithoutCatalog: boolean;
}

export const defaultGutenbergSourceOptions: GutenbergSourceOptions = {
  languages: null,
  minYear: null,
  maxYear: null,
  yearSource: 'issued',
  keepWithoutCatalog: true,
};

const TEXT_RE = /\.txt(\.gz)?$/i;
const RDF_RE = /\.rdf$/i;

/** eBook number from a PG file name: 972.txt, 972-0.txt, 972-8.txt, pg972.txt, pg972.rdf. */
export function ebookNumberOf(file: string): number | undefined {
  const m = /^(?:pg)?(\d+)(?:-\d+)?\.(?:txt|rdf)/i.exec(path.basename(file));
  return m ? Number(m[1]) : undefined;
}

/** Decodes UTF-8; falls back to Windows-1252 (PG's pre-UTF-8 "-8.txt" files are Latin-1). */
export function decodeBookBytes(buf: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(buf), encoding: 'windows-1252' };
  }
}

export function yearOf(record: GutenbergRecord, source: GutenbergSourceOptions['yearSource']): number | undefined {
  if (source === 'issued') {
    const m = /^(\d{4})/.exec(record.issued ?? '');
    return m ? Number(m[1]) : undefined;
  }
  const deaths = record.authors.map((a) => a.death).filter((d): d is number => d !== undefined);
  return deaths.length ? Math.max(...deaths) : undefined;
}

/** The filter on catalog metadata: null = keep, else the drop reason. */
export function catalogVerdict(record: GutenbergRecord | undefined, o: GutenbergSourceOptions): string | null {
  if (!record) {
    const filtering = o.languages !== null || o.minYear !== null || o.maxYear !== null;
    return filtering && !o.keepWithoutCatalog ? 'no_catalog' : null;
  }
  if (o.languages !== null && !record.languages.some((l) => o.languages!.includes(l))) {
    return `language:${record.languages[0] ?? 'unknown'}`;
  }
  if (o.minYear !== null || o.maxYear !== null) {
    const y = yearOf(record, o.yearSource);
    if (y === undefined) return o.keepWithoutCatalog ? null : 'year';
    if ((o.minYear !== null && y < o.minYear) || (o.maxYear !== null && y > o.maxYear)) return 'year';
  }
  return null;
}

export function metaFromRecord(record: GutenbergRecord): DocumentMeta {
  const meta: DocumentMeta = { url: `https://www.gutenberg.org/ebooks/${record.ebook}`, ebook: record.ebook };
  if (record.title !== undefined) meta.title = record.title;
  if (record.authors.length) meta.authors = record.authors.map((a) => a.name);
  if (record.languages.length) meta.language = record.languages[0]!;
  if (record.languages.length > 1) meta.languages = record.languages;
  if (record.issued !== undefined) meta.date = record.issued;
  if (record.subjects.length) meta.subjects = record.subjects;
  if (record.rights !== undefined) meta.licence = record.rights;
  return meta;
}

class GutenbergSource implements Source {
  readonly name = 'read:gutenberg';
  constructor(private readonly inputs: readonly string[], private readonly o: GutenbergSourceOptions) {}

  async *read(ctx: StageContext): AsyncGenerator<Document> {
    const files = await listInputFiles(this.inputs, { accept: (f) => TEXT_RE.test(f) || RDF_RE.test(f), recursive: true });
    const texts = files.filter((f) => TEXT_RE.test(f));
    const rdfs = files.filter((f) => RDF_RE.test(f));
    const records = await this.loadRecords(rdfs, new Set(texts.map(ebookNumberOf).filter((n) => n !== undefined)), ctx);

    for (const file of texts) {
      if (ctx.signal?.aborted) return;
      let buf: Buffer;
      try {
        buf = await readFile(file);
      } catch (e) {
        this.fail(ctx, new RecordError('unreadable_input', `cannot read ${file}: ${(e as Error).message}`, { file }));
        continue;
      }
      if (file.toLowerCase().endsWith('.gz')) {
        try {
          buf = gunzipSync(buf);
        } catch (e) {
          this.fail(ctx, new RecordError('truncated_input', `${file}: gzip stream is truncated or corrupt: ${(e as Error).message}`,
            { file, offset: buf.length }, 're-download the eBook'));
          continue;
        }
      }
      ctx.stats.in(buf.length);
      const n = ebookNumberOf(file);
      const record = n === undefined ? undefined : records.get(n);
      const reason = catalogVerdict(record, this.o);
      if (reason !== null) {
        ctx.stats.dropped(reason);
        continue;
      }
      const { text: raw, encoding } = decodeBookBytes(buf);
      const stripped = stripGutenbergHeaders(raw);
      if (!stripped.headerFound && !stripped.footerFound) ctx.stats.add('no_gutenberg_markers');
      if (stripped.text.trim() === '') {
        ctx.stats.dropped('empty');
        continue;
      }
      const meta: DocumentMeta = record ? metaFromRecord(record) : {};
      meta.source = file;
      if (encoding !== 'utf-8') meta.encoding = encoding;
      const locator = n !== undefined ? String(n) : path.basename(file).replace(TEXT_RE, '');
      yield { id: `books:gutenberg:${locator}`, subset: 'books', text: stripped.text, meta };
    }
  }

  private fail(ctx: StageContext, err: RecordError): void {
    ctx.stats.error(err.code);
    ctx.reporter.warn(err.code, err.message, err.position);
  }

  private async loadRecords(rdfs: string[], wanted: Set<number | undefined>, ctx: StageContext): Promise<Map<number, GutenbergRecord>> {
    const out = new Map<number, GutenbergRecord>();
    for (const file of rdfs) {
      const n = ebookNumberOf(file);
      if (n !== undefined && !wanted.has(n)) continue;
      try {
        const record = parseGutenbergRdf(await readFile(file, 'utf8'), file);
        if (wanted.has(record.ebook)) out.set(record.ebook, record);
      } catch (e) {
        this.fail(ctx, e instanceof RecordError ? e
          : new RecordError('unreadable_input', `cannot read ${file}: ${(e as Error).message}`, { file }));
      }
    }
    return out;
  }
}

/** Project Gutenberg eBooks (+ RDF catalog records) as `books` documents with id `books:gutenberg:<N>`. */
export function gutenbergSource(inputs: readonly string[], options: Partial<GutenbergSourceOptions> = {}): Source {
  return new GutenbergSource(inputs, { ...defaultGutenbergSourceOptions, ...options });
}
