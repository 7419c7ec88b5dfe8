/**
 * Real documents for the filters' tests, accuracy measurement and benchmarks, read from the shared
 * corpora (shared/corpora) with just enough parsing (gzip, WARC records, HTML to text) to get text out.
 * Test support only: not part of the filters' public surface, never imported by the filters themselves.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as cheerio from 'cheerio';

export interface LabelledText {
  id: string;
  text: string;
  /** ISO 639-1 language, when known. */
  lang?: string;
  url?: string;
}

const BLOCK = new Set('p,div,li,h1,h2,h3,h4,h5,h6,tr,br,pre,blockquote,section,article,td,th,dd,dt,ul,ol,table,header,footer,nav,main,aside,form,title'.split(','));
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head']);

interface Node {
  type: string;
  name?: string;
  data?: string;
  children?: Node[];
}

/** Visible text of an HTML page, one line per block element (not a main-content extractor). */
export function htmlToText(html: string): string {
  // htmlparser2 (via the xml option in HTML mode) is ~10x faster than cheerio's default parse5 here.
  const $ = cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const parts: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'text') parts.push(n.data ?? '');
    else if (n.type === 'tag' || n.type === 'root' || n.type === 'script' || n.type === 'style') {
      if (n.name && SKIP.has(n.name)) return;
      const block = n.name !== undefined && BLOCK.has(n.name);
      if (block) parts.push('\n');
      for (const c of n.children ?? []) walk(c);
      if (block) parts.push('\n');
    }
  };
  walk($.root()[0] as unknown as Node);
  return parts
    .join('')
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

/** JSON-lines documents of a gzip file (C4 / CCNet fixtures). */
export async function readJsonlGz(file: string): Promise<{ text: string; url?: string; [k: string]: unknown }[]> {
  const raw = gunzipSync(await fs.readFile(file)).toString('utf8');
  return raw
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { text: string; url?: string });
}

/** HTTP response records of a WARC file: URL, declared charset, decoded HTML. */
export async function readWarcResponses(file: string): Promise<{ url: string; html: string }[]> {
  let buf = await fs.readFile(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const out: { url: string; html: string }[] = [];
  const marker = Buffer.from('WARC/1.0\r\n');
  let pos = buf.indexOf(marker);
  while (pos >= 0) {
    const next = buf.indexOf(marker, pos + marker.length);
    const rec = buf.subarray(pos, next < 0 ? buf.length : next);
    pos = next;
    const headEnd = rec.indexOf('\r\n\r\n');
    const head = rec.subarray(0, headEnd).toString('latin1');
    if (!/WARC-Type: response/i.test(head)) continue;
    const url = /WARC-Target-URI: (\S+)/i.exec(head)?.[1] ?? '';
    const http = rec.subarray(headEnd + 4);
    const httpEnd = http.indexOf('\r\n\r\n');
    const httpHead = http.subarray(0, httpEnd).toString('latin1');
    const body = http.subarray(httpEnd + 4);
    const sniff = body.subarray(0, 4096).toString('latin1');
    const charset = (/charset=["']?([\w-]+)/i.exec(httpHead)?.[1] ?? /charset=["']?([\w-]+)/i.exec(sniff)?.[1] ?? 'utf-8').toLowerCase();
    let html: string;
    try {
      html = new TextDecoder(charset).decode(body);
    } catch {
      html = new TextDecoder('utf-8').decode(body);
    }
    out.push({ url, html });
  }
  return out;
}

/** Items of an RSS/Atom feed as text (title + description/content, tags stripped). */
export async function readFeedItems(file: string): Promise<{ title: string; text: string; url: string }[]> {
  const $ = cheerio.load(await fs.readFile(file, 'utf8'), { xml: true });
  const items: { title: string; text: string; url: string }[] = [];
  $('item, entry').each((_, el) => {
    const e = $(el);
    const title = e.children('title').first().text().trim();
    const body = e.children('content, description, summary').map((__, c) => $(c).text()).get().join('\n');
    const url = e.children('link').first().attr('href') ?? e.children('link').first().text().trim();
    items.push({ title, text: htmlToText(`<body>${title}\n${body}</body>`), url });
  });
  return items;
}

const GERMAN_PAGES = new Set(['de.creativecommons.org.endlich.html', 'die-partei.net.luebeck.html']);

/** The trafilatura fixture pages as text, with their language (2 German pages, 12 English). */
export async function trafilaturaPages(corporaDir: string): Promise<LabelledText[]> {
  const expected = JSON.parse(await fs.readFile(path.join(corporaDir, 'html/trafilatura-expected.json'), 'utf8')) as Record<string, { file: string }>;
  const out: LabelledText[] = [];
  for (const [url, e] of Object.entries(expected)) {
    const html = await fs.readFile(path.join(corporaDir, 'html/trafilatura', e.file), 'utf8');
    // SOURCES.md: "2 German pages for language filtering"; the others are English.
    const lang = GERMAN_PAGES.has(e.file) ? 'de' : 'en';
    out.push({ id: `html:${e.file}`, text: htmlToText(html), lang, url });
  }
  return out;
}

/** Every text document the shared fixtures give without a real extractor, keyed by a stable id. */
export async function fixtureDocuments(corporaDir: string): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  for (const p of await trafilaturaPages(corporaDir)) docs.set(p.id, p.text);
  for (const f of ['resiliparse-commoncrawl-sample.warc.gz', 'jwarc-cc.warc.gz', 'warcio-example.warc.gz', 'webarchive-commons-IAH-urls-wget.warc.gz']) {
    for (const r of await readWarcResponses(path.join(corporaDir, 'warc', f))) docs.set(`warc:${r.url}`, htmlToText(r.html));
  }
  for (const f of (await fs.readdir(path.join(corporaDir, 'feeds'))).sort()) {
    if (!/\.(rss|atom|xml|rdf)$/.test(f)) continue;
    for (const it of await readFeedItems(path.join(corporaDir, 'feeds', f))) docs.set(`feed:${it.url}`, it.text);
  }
  for (const f of ['olmo-c4-sample.01.json.gz', 'olmo-c4-sample.02.json.gz', 'olmo-c4-sample.03.json.gz', 'dolma-cc_en_head-0091.jsonl.gz']) {
    for (const [i, d] of (await readJsonlGz(path.join(corporaDir, 'c4', f))).entries()) docs.set(`c4:${f}#${i}`, d.text);
  }
  const gt = JSON.parse(await fs.readFile(path.join(corporaDir, 'news-html/aeb/ground-truth.json'), 'utf8')) as Record<string, { articleBody: string; url: string }>;
  for (const v of Object.values(gt)) docs.set(`news:${v.url}`, v.articleBody);
  return docs;
}
