/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 feeds parsed with fast-xml-parser into one item shape.
 * Text fields (titles, descriptions, content) are read as raw inner XML (stop nodes) and decoded here
 * exactly once: CDATA sections verbatim, everything else with XML entity and character references
 * resolved — so "&amp;#x24;" stays "&#x24;", as XML (and rss-parser) say it must. Atom `type="xhtml"`
 * content stays markup. Dates become ISO 8601 (RFC 822 dates in RSS, RFC 3339 in Atom, dc:date in RDF).
 * Relative links resolve against xml:base and the feed's own URL.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RecordError } from '../../pipeline/errors.js';

export type FeedFormat = 'rss' | 'rdf' | 'atom';

export interface FeedItem {
  title: string;
  link?: string;
  /** guid (RSS) or id (Atom). */
  id?: string;
  /** ISO 8601 publication date (pubDate, dc:date, published, else updated). */
  published?: string;
  author?: string;
  /** The richest HTML the feed gives for the item: content:encoded / content, else description / summary. */
  contentHtml?: string;
  /** The short form (description / summary) when there is also full content. */
  summaryHtml?: string;
  categories: string[];
}

export interface Feed {
  format: FeedFormat;
  title: string;
  link?: string;
  language?: string;
  items: FeedItem[];
}

const TEXT_NODES = ['title', 'description', 'summary', 'content', 'content:encoded', 'subtitle', 'tagline', 'dc:creator', 'dc:title', 'dc:description', 'name'];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  stopNodes: TEXT_NODES.map((n) => `*.${n}`),
  isArray: (name) => ['item', 'entry', 'link', 'category', 'author', 'dc:subject'].includes(name),
});

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML character data once: entity and numeric references; CDATA sections verbatim. */
export function decodeXmlText(raw: string): string {
  const parts = raw.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/);
  return parts.map((p) => p.startsWith('<![CDATA[') ? p.slice(9, -3) : p.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return XML_ENTITIES[e] ?? m;
  })).join('');
}

type Node = Record<string, unknown> | string | undefined;

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function child(node: Node, name: string): Node {
  if (!node || typeof node !== 'object') return undefined;
  return node[name] as Node;
}

/** Text of a stop node or a plain node; xhtml content is returned as markup. */
function text(node: Node | Node[]): string {
  const n = Array.isArray(node) ? node[0] : node;
  if (n === undefined || n === null) return '';
  if (typeof n === 'string') return decodeXmlText(n).trim();
  if (typeof n === 'number') return String(n);
  const t = n['#text'];
  const type = String(n['@_type'] ?? '').toLowerCase();
  if (typeof t === 'string') return type === 'xhtml' ? t.trim() : decodeXmlText(t).trim();
  if (typeof t === 'number') return String(t);
  return '';
}

function plain(node: Node | Node[]): string {
  const n = Array.isArray(node) ? node[0] : node;
  if (typeof n === 'string') return n.trim();
  if (typeof n === 'number') return String(n);
  if (n && typeof n === 'object' && n['#text'] !== undefined) return String(n['#text']).trim();
  return '';
}

/** ISO 8601 for RFC 822 / RFC 3339 / W3CDTF dates; undefined when unparseable. */
export function toIsoDate(s: string | undefined): string | undefined {
  if (!s) return undefined;
  let t = Date.parse(s);
  if (!Number.isFinite(t)) {
    // RFC 822 with a named zone JS does not know, e.g. "Mon, 01 Feb 2016 17:22:00 CEST": drop the zone.
    t = Date.parse(s.replace(/\s+[A-Z]{3,5}$/, ' GMT'));
  }
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function resolve(href: string, base: string | undefined): string {
  if (!href) return href;
  try {
    return base ? new URL(href, base).href : new URL(href).href;
  } catch {
    return href;
  }
}

function atomLink(entry: Node, base: string | undefined): string | undefined {
  const links = asArray(child(entry, 'link') as Node | Node[]);
  const pick = links.find((l) => typeof l === 'object' && (!l['@_rel'] || l['@_rel'] === 'alternate') && (!l['@_type'] || /html/i.test(String(l['@_type']))))
    ?? links.find((l) => typeof l === 'object' && (!l['@_rel'] || l['@_rel'] === 'alternate'));
  const href = pick && typeof pick === 'object' ? String(pick['@_href'] ?? '') : '';
  return href ? resolve(href, base) : undefined;
}

function categories(node: Node): string[] {
  const out: string[] = [];
  for (const c of asArray(child(node, 'category') as Node | Node[])) {
    const v = typeof c === 'object' && c?.['@_term'] !== undefined ? String(c['@_term']) : plain(c);
    if (v) out.push(v);
  }
  for (const c of asArray(child(node, 'dc:subject') as Node | Node[])) {
    const v = plain(c);
    if (v) out.push(v);
  }
  return out;
}

function rssItem(item: Node, base: string | undefined): FeedItem {
  const encoded = text(child(item, 'content:encoded'));
  const description = text(child(item, 'description'));
  const linkText = plain(asArray(child(item, 'link') as Node | Node[])[0]);
  const guidNode = child(item, 'guid');
  const guid = plain(guidNode);
  const isPermaLink = typeof guidNode === 'object' ? guidNode?.['@_isPermaLink'] !== 'false' : !!guid;
  const link = linkText ? resolve(linkText, base) : guid && isPermaLink && /^https?:/.test(guid) ? guid : undefined;
  const out: FeedItem = {
    title: text(child(item, 'title')) || text(child(item, 'dc:title')),
    link,
    id: guid || undefined,
    published: toIsoDate(plain(child(item, 'pubDate')) || plain(child(item, 'dc:date'))),
    author: text(child(item, 'dc:creator')) || plain(child(item, 'author')) || undefined,
    contentHtml: encoded || description || undefined,
    summaryHtml: encoded && description ? description : undefined,
    categories: categories(item),
  };
  return out;
}

function atomEntry(entry: Node, base: string | undefined): FeedItem {
  const entryBase = typeof entry === 'object' && entry?.['@_xml:base'] ? resolve(String(entry['@_xml:base']), base) : base;
  const content = text(child(entry, 'content'));
  const summary = text(child(entry, 'summary'));
  const author = asArray(child(entry, 'author') as Node | Node[])[0];
  return {
    title: text(child(entry, 'title')),
    link: atomLink(entry, entryBase),
    id: plain(child(entry, 'id')) || undefined,
    published: toIsoDate(plain(child(entry, 'published')) || plain(child(entry, 'issued')) || plain(child(entry, 'updated')) || plain(child(entry, 'modified'))),
    author: text(child(author, 'name')) || undefined,
    contentHtml: content || summary || undefined,
    summaryHtml: content && summary ? summary : undefined,
    categories: categories(entry),
  };
}

/**
 * Parses a feed document (already decoded to a string). `url` is where it came from, for relative links
 * and error messages. Throws RecordError('malformed_feed') when it is not XML or not a feed.
 */
export function parseFeed(xml: string, url?: string): Feed {
  let doc: Record<string, Node>;
  // fast-xml-parser's parser is lenient (unclosed tags pass); validate first so broken feeds are reported.
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(xml.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new RecordError('malformed_feed', `unreadable XML: ${(e as Error).message}`, { file: url }, 'the feed was skipped');
  }
  if (valid !== true) {
    throw new RecordError('malformed_feed', `not well-formed XML: ${valid.err.msg}`, { file: url, line: valid.err.line }, 'the feed was skipped');
  }
  try {
    doc = parser.parse(xml.replace(/^\uFEFF/, '')) as Record<string, Node>;
  } catch (e) {
    throw new RecordError('malformed_feed', `not well-formed XML: ${(e as Error).message}`, { file: url }, 'the feed was skipped');
  }
  const base = url && /^https?:/.test(url) ? url : undefined;
  const rss = doc.rss;
  if (rss && typeof rss === 'object') {
    const channel = child(rss, 'channel');
    const channelBase = base;
    return {
      format: 'rss', title: text(child(channel, 'title')), link: plain(asArray(child(channel, 'link') as Node | Node[])[0]) || undefined,
      language: plain(child(channel, 'language')) || undefined,
      items: asArray(child(channel, 'item') as Node | Node[]).map((i) => rssItem(i, channelBase)),
    };
  }
  const rdf = doc['rdf:RDF'] ?? doc.RDF;
  if (rdf && typeof rdf === 'object') {
    const channel = child(rdf, 'channel');
    const items = asArray((child(rdf, 'item') ?? child(channel, 'item')) as Node | Node[]);
    return {
      format: 'rdf', title: text(child(channel, 'title')), link: plain(asArray(child(channel, 'link') as Node | Node[])[0]) || undefined,
      language: plain(child(channel, 'dc:language')) || undefined,
      items: items.map((i) => rssItem(i, base)),
    };
  }
  const feed = doc.feed;
  if (feed && typeof feed === 'object') {
    const feedBase = feed['@_xml:base'] ? resolve(String(feed['@_xml:base']), base) : base;
    return {
      format: 'atom', title: text(child(feed, 'title')), link: atomLink(feed, feedBase),
      language: feed['@_xml:lang'] ? String(feed['@_xml:lang']) : undefined,
      items: asArray(child(feed, 'entry') as Node | Node[]).map((e) => atomEntry(e, feedBase)),
    };
  }
  throw new RecordError('malformed_feed', 'not an RSS, RDF or Atom feed (no <rss>, <rdf:RDF> or <feed> root)', { file: url }, 'the input was skipped');
}
