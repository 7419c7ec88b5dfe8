/**
 * The few DOM facts the extractor needs, over cheerio's parse tree (domhandler nodes). Typed locally so
 * this folder depends on cheerio's public `load` only.
 */
import { createRequire } from 'node:module';
import type * as Cheerio from 'cheerio';
// cheerio/slim is htmlparser2 only, without the fetch/encoding helpers cheerio's main entry loads
// (undici, encoding-sniffer: ~0.4 s of CPU per process or worker thread); same parse as load(html, { xml }).
import { load as loadHtmlparser2 } from 'cheerio/slim';
import { limitNesting } from './limit-nesting.js';

export interface DomNode {
  type: string; // 'tag' | 'script' | 'style' | 'text' | 'comment' | 'root' | 'directive' | 'cdata'
  name?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  data?: string;
  parent: DomNode | null;
}

export type ParserName = 'htmlparser2' | 'parse5';

/**
 * Parses HTML into a document root. htmlparser2 is several times faster than parse5 and, with the
 * clean-up the extractor does, loses nothing measurable on the fixtures (see extract-main-text.test.ts).
 */
export function parseHtml(html: string, parser: ParserName = 'htmlparser2'): DomNode {
  html = limitNesting(html).html; // hostile nesting depth makes both parsers quadratic (limit-nesting.ts)
  const $ = parser === 'parse5' ? parse5Load()(html) : loadHtmlparser2(html, { xml: { xmlMode: false, decodeEntities: true } });
  return $.root()[0] as unknown as DomNode;
}

/** cheerio's full `load` (parse5), loaded on first use only: parseHtml is synchronous, so through require. */
let parse5Loader: typeof Cheerio.load | null = null;
function parse5Load(): typeof Cheerio.load {
  return (parse5Loader ??= (createRequire(import.meta.url)('cheerio') as typeof Cheerio).load);
}

export function isElement(n: DomNode): boolean {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

export function attr(n: DomNode, name: string): string | undefined {
  return n.attribs?.[name];
}

/** All descendant elements with the given tag names, in document order. */
export function findAll(root: DomNode, names: Set<string>, out: DomNode[] = []): DomNode[] {
  for (const c of root.children ?? []) {
    if (isElement(c)) {
      if (names.has(c.name!)) out.push(c);
      findAll(c, names, out);
    }
  }
  return out;
}

export function findFirst(root: DomNode, pred: (n: DomNode) => boolean): DomNode | undefined {
  for (const c of root.children ?? []) {
    if (!isElement(c)) continue;
    if (pred(c)) return c;
    const r = findFirst(c, pred);
    if (r) return r;
  }
  return undefined;
}

/** Concatenated text of a subtree, whitespace collapsed. */
export function textOf(n: DomNode): string {
  const parts: string[] = [];
  const walk = (x: DomNode) => {
    if (x.type === 'text') parts.push(x.data ?? '');
    else if (x.type === 'tag') for (const c of x.children ?? []) walk(c);
    else if (x.type === 'root') for (const c of x.children ?? []) walk(c);
  };
  walk(n);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

export function removeNode(n: DomNode): void {
  const p = n.parent;
  if (!p?.children) return;
  const i = p.children.indexOf(n);
  if (i >= 0) p.children.splice(i, 1);
  n.parent = null;
}
