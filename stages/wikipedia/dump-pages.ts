/**
 * Streaming reader of MediaWiki XML export dumps (export-0.3 .. 0.11): yields one page at a time, so memory
 * is bounded by the largest page (capped by `maxPageBytes`), never by the dump.
 *
 * The dump format is regular: a `<siteinfo>` header, then `<page>` elements that never nest and whose text
 * is XML-escaped (a raw `<page>` can only be markup). So the reader cuts the decompressed byte stream at
 * `<page>` / `</page>` with Buffer.indexOf and decodes only the page's bytes; the fields are then taken
 * with a small tag scanner. A general XML parser would spend most of its time building objects for
 * contributor/comment/sha1 elements we do not need.
 *
 * Malformed input is reported, never fatal: an unterminated page, a page missing its title or text, raw
 * markup inside the text, an oversized page, or a truncated/corrupt compressed stream each produce a
 * RecordError with the file, the byte offset in the decompressed stream and the page ordinal, and the
 * reader resynchronises at the next `<page>`.
 */
import { RecordError } from '../../pipeline/index.js';
import { openDump } from './dump-stream.js';

export interface SiteInfo {
  dbname?: string;
  /** URL of the main page, e.g. https://en.wikipedia.org/wiki/Main_Page */
  base?: string;
  /** xml:lang of the <mediawiki> element. */
  lang?: string;
  /** namespace key -> prefix ("" for articles). */
  namespaces: Map<number, string>;
}

export interface DumpPage {
  title: string;
  ns: number;
  id: string;
  /** `<redirect title="..."/>` target, when present. */
  redirect?: string;
  revisionId?: string;
  timestamp?: string;
  model?: string;
  /** Wikitext of the last revision in the page (the current one in a pages-articles dump). */
  text: string;
  /** Byte offset of `<page>` in the decompressed stream. */
  offset: number;
  /** 1-based page number in the file. */
  ordinal: number;
}

export interface DumpReadOptions {
  /** A page larger than this is skipped as an error (memory bound). Largest enwiki pages are ~2-4 MB. */
  maxPageBytes: number;
  /** Explicit bunzip2 program (default: lbzip2 or bzip2 from PATH). */
  bunzip2?: string;
}

export const defaultDumpReadOptions: DumpReadOptions = { maxPageBytes: 64 << 20 };

const PAGE_OPEN = Buffer.from('<page>');
/** Bytes read before the first <page> after which the input is refused (a siteinfo header is a few KB). */
const NO_PAGE_LIMIT = 16 << 20;
const PAGE_CLOSE = Buffer.from('</page>');

/** Decodes the five XML entities and numeric character references (a hand loop: 5-10x a regex replace). */
export function decodeXmlEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  const out: string[] = [];
  let from = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 2);
    if (semi < 0 || semi - amp > 10) {
      amp = s.indexOf('&', amp + 1);
      continue;
    }
    let rep: string | undefined;
    const c1 = s.charCodeAt(amp + 1);
    const len = semi - amp - 1;
    if (c1 === 35) {
      const hex = s.charCodeAt(amp + 2) === 120 || s.charCodeAt(amp + 2) === 88;
      const digits = s.slice(amp + (hex ? 3 : 2), semi);
      if (digits !== '' && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
        const cp = Number.parseInt(digits, hex ? 16 : 10);
        rep = cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
      }
    } else if (len === 2 && s.charCodeAt(amp + 2) === 116) {
      rep = c1 === 108 ? '<' : c1 === 103 ? '>' : undefined;
    } else if (len === 3 && c1 === 97 && s.startsWith('mp', amp + 2)) {
      rep = '&';
    } else if (len === 4) {
      if (c1 === 113 && s.startsWith('uot', amp + 2)) rep = '"';
      else if (c1 === 97 && s.startsWith('pos', amp + 2)) rep = "'";
    }
    if (rep === undefined) {
      amp = s.indexOf('&', amp + 1);
      continue;
    }
    out.push(s.slice(from, amp), rep);
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  out.push(s.slice(from));
  return out.join('');
}

/** Content of the first `<tag ...>content</tag>` at or after `from`, undefined if absent. `<tag/>` gives "". */
function tagContent(s: string, tag: string, from = 0, to = s.length): { content: string; end: number; attrs: string } | undefined {
  const open = s.indexOf(`<${tag}`, from);
  if (open < 0 || open >= to) return undefined;
  const after = s.charCodeAt(open + tag.length + 1);
  // `<tag>`, `<tag attr>`, `<tag/>` but not `<tagname>`
  if (after !== 62 && after !== 32 && after !== 47 && after !== 9 && after !== 10 && after !== 13) {
    return tagContent(s, tag, open + tag.length + 1, to);
  }
  const gt = s.indexOf('>', open);
  if (gt < 0 || gt >= to) return undefined;
  const attrs = s.slice(open + tag.length + 1, gt);
  if (s.charCodeAt(gt - 1) === 47) return { content: '', end: gt + 1, attrs: attrs.slice(0, -1) };
  const close = s.indexOf(`</${tag}>`, gt);
  if (close < 0 || close >= to) return undefined;
  return { content: s.slice(gt + 1, close), end: close + tag.length + 3, attrs };
}

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? decodeXmlEntities(m[1] ?? m[2] ?? '') : undefined;
}

export function parseSiteInfo(header: string): SiteInfo {
  const info: SiteInfo = { namespaces: new Map([[0, '']]) };
  const mw = /<mediawiki\b([^>]*)>/.exec(header);
  if (mw) {
    const lang = attr(mw[1]!, 'xml:lang');
    if (lang) info.lang = lang;
  }
  const dbname = tagContent(header, 'dbname');
  if (dbname) info.dbname = decodeXmlEntities(dbname.content.trim());
  const base = tagContent(header, 'base');
  if (base) info.base = decodeXmlEntities(base.content.trim());
  const nsRe = /<namespace\b([^>]*?)(?:\/>|>([^<]*)<\/namespace>)/g;
  for (let m = nsRe.exec(header); m; m = nsRe.exec(header)) {
    const key = Number(attr(m[1]!, 'key'));
    if (Number.isInteger(key)) info.namespaces.set(key, decodeXmlEntities(m[2] ?? '').trim());
  }
  return info;
}

/** Namespace of a title by its prefix, for old dumps without `<ns>`. */
export function namespaceOfTitle(title: string, site: SiteInfo): number {
  const colon = title.indexOf(':');
  if (colon <= 0) return 0;
  const prefix = title.slice(0, colon).toLowerCase();
  for (const [key, name] of site.namespaces) if (name && name.toLowerCase() === prefix) return key;
  return 0;
}

/** Parses one `<page>...</page>` string. Throws a RecordError (without file) on malformed content. */
export function parsePage(xml: string, site: SiteInfo, offset: number, ordinal: number): DumpPage {
  const pos = { offset, record: ordinal };
  const revStart = xml.indexOf('<revision');
  const headEnd = revStart < 0 ? xml.length : revStart;
  const titleTag = tagContent(xml, 'title', 0, headEnd);
  if (!titleTag) throw new RecordError('malformed_xml', `page ${ordinal} has no <title>`, pos);
  const title = decodeXmlEntities(titleTag.content);
  const idTag = tagContent(xml, 'id', 0, headEnd);
  const nsTag = tagContent(xml, 'ns', 0, headEnd);
  let ns: number;
  if (nsTag) {
    ns = Number.parseInt(nsTag.content, 10);
    if (!Number.isFinite(ns)) throw new RecordError('malformed_xml', `page ${ordinal} "${title}": <ns> is not a number`, pos);
  } else {
    ns = namespaceOfTitle(title, site);
  }
  const page: DumpPage = { title, ns, id: idTag ? idTag.content.trim() : '', text: '', offset, ordinal };
  const redirectTag = tagContent(xml, 'redirect', 0, headEnd);
  if (redirectTag) page.redirect = attr(redirectTag.attrs, 'title') ?? decodeXmlEntities(redirectTag.content);

  // The last revision is the current one (pages-meta-history dumps list them oldest first).
  const lastRev = xml.lastIndexOf('<revision');
  if (lastRev < 0) return page; // a page without revisions has empty text
  const revId = tagContent(xml, 'id', lastRev);
  if (revId) page.revisionId = revId.content.trim();
  const ts = tagContent(xml, 'timestamp', lastRev);
  if (ts) page.timestamp = ts.content.trim();
  const model = tagContent(xml, 'model', lastRev);
  if (model) page.model = model.content.trim();
  const textTag = tagContent(xml, 'text', lastRev);
  if (!textTag) {
    if (xml.indexOf('<text', lastRev) >= 0) {
      throw new RecordError('malformed_xml', `page ${ordinal} "${title}": <text> is not closed`, pos);
    }
    return page;
  }
  page.text = xmlCharacterData(textTag.content, () => `page ${ordinal} "${title}"`, pos);
  return page;
}

/**
 * Character data of an element: entities decoded, XML comments removed, CDATA sections taken verbatim.
 * Any other `<` is not well-formed XML.
 */
export function xmlCharacterData(content: string, where: () => string, pos: { offset: number; record: number }): string {
  let lt = content.indexOf('<');
  if (lt < 0) return decodeXmlEntities(content);
  let out = '';
  let from = 0;
  while (lt >= 0) {
    out += decodeXmlEntities(content.slice(from, lt));
    if (content.startsWith('<!--', lt)) {
      const end = content.indexOf('-->', lt + 4);
      if (end < 0) throw new RecordError('malformed_xml', `${where()}: unterminated XML comment inside <text>`, pos);
      from = end + 3;
    } else if (content.startsWith('<![CDATA[', lt)) {
      const end = content.indexOf(']]>', lt + 9);
      if (end < 0) throw new RecordError('malformed_xml', `${where()}: unterminated CDATA section inside <text>`, pos);
      out += content.slice(lt + 9, end);
      from = end + 3;
    } else {
      throw new RecordError('malformed_xml',
        `${where()}: unescaped markup inside <text> ("${content.slice(lt, lt + 20).replace(/\s+/g, ' ')}")`, pos);
    }
    lt = content.indexOf('<', from);
  }
  return out + decodeXmlEntities(content.slice(from));
}

export interface DumpReader {
  site: SiteInfo;
  pages: AsyncGenerator<DumpPage>;
}

/** Joins consecutive chunks until at least `minBytes()` bytes are gathered (or the input ends). */
async function* coalesce(input: AsyncIterable<Buffer>, minBytes: () => number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const c of input) {
    parts.push(c);
    n += c.length;
    if (n >= minBytes()) {
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
      parts = [];
      n = 0;
    }
  }
  if (n) yield Buffer.concat(parts, n);
}

/**
 * Reads the pages of one dump file. `onError` receives each RecordError (already carrying the file); the
 * reader goes on with the next page. A missing siteinfo header is tolerated (dbname falls back to "").
 */
export async function* readDumpPages(
  file: string, onError: (e: RecordError) => void, onSite: (s: SiteInfo) => void = () => {},
  options: Partial<DumpReadOptions> = {},
): AsyncGenerator<DumpPage> {
  const o = { ...defaultDumpReadOptions, ...options };
  const { stream, finished } = openDump(file, o.bunzip2 === undefined ? {} : { bunzip2: o.bunzip2 });
  const fail = (code: string, message: string, offset: number, ordinal?: number, hint = '') =>
    onError(new RecordError(code, `${file}: ${message}`, ordinal === undefined ? { file, offset } : { file, offset, record: ordinal }, hint));

  let buf: Buffer = Buffer.alloc(0);
  let base = 0; // stream offset of buf[0]
  let site: SiteInfo | undefined;
  let ordinal = 0;
  let scanFrom = 0; // where to resume looking for </page> in buf (avoids rescanning a growing page)
  let skipping = false; // inside an oversized page: drop bytes until the next <page>
  let total = 0;
  let sawEnd = false;

  try {
    // Chunks are gathered until they at least match what is buffered (1 to 16 MiB), so a page (or junk
    // before the first page) growing over thousands of small pipe reads is not copied once per read.
    for await (const chunk of coalesce(stream as AsyncIterable<Buffer>, () => Math.min(Math.max(1 << 20, buf.length), 16 << 20))) {
      total += chunk.length;
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!site) {
        const first = buf.indexOf(PAGE_OPEN);
        if (first < 0) {
          // A real <siteinfo> header is a few KB; 16 MiB without a <page> is not a dump (or is a
          // decompression bomb): stop here instead of decompressing all of it.
          if (buf.length > NO_PAGE_LIMIT) {
            fail('malformed_xml', `no <page> element in the first ${buf.length} decompressed bytes: not a MediaWiki XML dump; the file was skipped`, 0);
            return;
          }
          continue;
        } else {
          site = parseSiteInfo(buf.toString('utf8', 0, first));
          onSite(site);
          base += first;
          buf = buf.subarray(first);
        }
      }
      for (;;) {
        if (skipping) {
          const next = buf.indexOf(PAGE_OPEN, 1);
          if (next < 0) {
            const keep = Math.min(buf.length, PAGE_OPEN.length - 1);
            base += buf.length - keep;
            buf = buf.subarray(buf.length - keep);
            break;
          }
          base += next;
          buf = buf.subarray(next);
          skipping = false;
          scanFrom = 0;
        }
        const open = buf.indexOf(PAGE_OPEN);
        if (open < 0) {
          // keep a tail in case "<page>" straddles chunks; remember whether the dump closed properly
          if (buf.indexOf('</mediawiki>') >= 0) sawEnd = true;
          const keep = Math.min(buf.length, 16);
          base += buf.length - keep;
          buf = buf.subarray(buf.length - keep);
          scanFrom = 0;
          break;
        }
        if (open > 0) {
          base += open;
          buf = buf.subarray(open);
          scanFrom = 0;
        }
        const close = buf.indexOf(PAGE_CLOSE, Math.max(PAGE_OPEN.length, scanFrom));
        if (close < 0) {
          // a second <page> before any </page>: the first one is unterminated
          const inner = buf.indexOf(PAGE_OPEN, Math.max(PAGE_OPEN.length, scanFrom - PAGE_OPEN.length));
          if (inner > 0) {
            ordinal++;
            fail('malformed_xml', `page ${ordinal} at byte ${base} has no </page> before the next <page>`, base, ordinal);
            base += inner;
            buf = buf.subarray(inner);
            scanFrom = 0;
            continue;
          }
          if (buf.length > o.maxPageBytes) {
            ordinal++;
            fail('page_too_large', `page ${ordinal} at byte ${base} is larger than ${o.maxPageBytes} bytes; skipped`, base, ordinal,
              'raise maxPageBytes if such pages are expected');
            skipping = true;
            continue;
          }
          scanFrom = Math.max(PAGE_OPEN.length, buf.length - PAGE_CLOSE.length);
          break;
        }
        const inner = buf.subarray(0, close).indexOf(PAGE_OPEN, PAGE_OPEN.length);
        ordinal++;
        if (inner > 0) {
          fail('malformed_xml', `page ${ordinal} at byte ${base} has no </page> before the next <page>`, base, ordinal);
          base += inner;
          buf = buf.subarray(inner);
          scanFrom = 0;
          continue;
        }
        const end = close + PAGE_CLOSE.length;
        if (end > o.maxPageBytes) {
          // a complete page can arrive in one chunk: the cap holds for it too
          fail('page_too_large', `page ${ordinal} at byte ${base} is larger than ${o.maxPageBytes} bytes; skipped`, base, ordinal,
            'raise maxPageBytes if such pages are expected');
          base += end;
          buf = buf.subarray(end);
          scanFrom = 0;
          continue;
        }
        const pageOffset = base;
        const xml = buf.toString('utf8', 0, end);
        base += end;
        buf = buf.subarray(end);
        scanFrom = 0;
        let page: DumpPage | undefined;
        try {
          page = parsePage(xml, site!, pageOffset, ordinal);
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          fail(e.code, e.message, pageOffset, ordinal);
        }
        if (page) yield page;
      }
    }
  } catch (e) {
    fail('unreadable_input', `read failed after ${total} decompressed bytes: ${(e as Error).message}`, base);
    return;
  }
  const failure = await finished;
  const tail = buf.indexOf(PAGE_OPEN) >= 0;
  if (failure) {
    fail('truncated_input', `compressed stream is truncated or corrupt after ${total} decompressed bytes (${ordinal} complete pages read${tail ? ', the partial page after them skipped' : ''}): ${failure}`,
      total, undefined, 'the pages before this point were read; re-download the dump');
  } else if (tail && !skipping) {
    fail('truncated_input', `dump ends inside page ${ordinal + 1} (byte ${base}); the partial page is skipped`, base, ordinal + 1,
      'the file is truncated; re-download the dump');
  } else if (!site) {
    fail('malformed_xml', 'no <page> element found: not a MediaWiki XML dump', 0);
  } else if (!sawEnd && buf.indexOf('</mediawiki>') < 0 && ordinal > 0) {
    fail('truncated_input', `dump ends at byte ${total} without </mediawiki> after page ${ordinal}`, total, undefined,
      'the file may be truncated; the pages before this point were read');
  }
}
