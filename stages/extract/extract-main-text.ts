/**
 * Main-text extraction from an HTML page: the article, without navigation, headers and footers, cookie
 * banners, comments, share bars, "related posts" and ads. Pure and synchronous (safe in worker threads).
 *
 * The method is Mozilla Readability's (readability.js, Apache-2.0), reimplemented over cheerio's tree:
 *   1. prune what is never content (scripts, forms controls, hidden elements, nav/aside/footer, and
 *      elements whose class/id/role name boilerplate, unless they hold most of the page's text);
 *   2. score paragraph-like blocks (1 + commas + 1 per 100 chars, up to 3) into their ancestors
 *      (parent full, grandparent half, further ancestors 1/(3*level)), scale by (1 - link density),
 *      and take the best candidate and its content-like siblings;
 *   3. clean the chosen subtree conditionally (link-heavy lists and boxes, image galleries, forms);
 *   4. render block structure as text: paragraphs separated by a blank line, headings on their own,
 *      list items as "- " / "1. " bullets, preformatted text with its indentation, table rows with " | ".
 * When the result is much shorter than the pruned page (a page of short paragraphs, a listing), the
 * pruned page is rendered instead, as readability does when its first pass finds too little.
 */
import { type DomNode, type ParserName, attr, findFirst, isElement, parseHtml, removeNode, textOf } from './dom.js';
import { renderText } from './render-text.js';

export interface ExtractOptions {
  /** Shortest paragraph that is scored (readability: 25 characters). */
  minParagraphChars: number;
  /** Shortest article before falling back to the whole pruned page (readability: charThreshold 500). */
  minArticleChars: number;
  /** Siblings of the top candidate are included from this share of its score (readability: 0.2). */
  siblingScoreRatio: number;
  /** Elements named as boilerplate are kept when they hold more than this share of the page's text. */
  keepBoilerplateShare: number;
  /** HTML parser; htmlparser2 (default) is faster, parse5 follows the HTML standard exactly. */
  parser: ParserName;
}

export const defaultExtractOptions: ExtractOptions = {
  minParagraphChars: 25,
  minArticleChars: 500,
  siblingScoreRatio: 0.2,
  keepBoilerplateShare: 0.6,
  parser: 'htmlparser2',
};

export interface Extracted {
  text: string;
  title: string;
}

// Tags never holding main text.
const DROP_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'embed', 'applet',
  'button', 'input', 'select', 'textarea', 'option', 'optgroup', 'datalist', 'label', 'meter', 'progress',
  'head', 'link', 'meta', 'base', 'map', 'area', 'audio', 'video', 'source', 'track', 'picture', 'img',
  'nav', 'menu', 'dialog', 'figcaption',
]);
// Landmarks that are boilerplate unless they hold most of the page.
const BOILERPLATE_TAGS = new Set(['footer', 'aside', 'header']);
const BOILERPLATE_ROLES = /^(navigation|banner|contentinfo|complementary|search|menu|menubar|dialog|alertdialog|alert|tooltip)$/i;
// Class/id names: strong ones win over content-like names; weak ones only apply when nothing says "content".
// Lists after readability's REGEXPS.unlikelyCandidates / negative, extended with cookie/consent/share.
const STRONG_NEGATIVE = /(^|[\s_-])(comments?|comment-?list|commentlist|disqus|respond|reply|replies|cookies?|consent|gdpr|cc-banner|newsletter|subscribe|subscription|signup|sign-up|share|sharing|social|sharedaddy|shareaholic|addthis|related|recommended|more-stories|read-?more|popular|trending|breadcrumbs?|pagination|pager|paging|sidebar|widget|widgets|advert|advertisement|ads?|ad-slot|adsbygoogle|sponsor(ed)?|promo|promotion|outbrain|taboola|footer|site-footer|masthead|navbar|nav|navigation|menu|skip-link|screen-reader-text|sr-only|visually-hidden|print-only|modal|popup|overlay|author|author-?bio|about-author|tags|tag-?list|tagcloud|categories|post-?meta|entry-?meta|byline|dateline|post-date|posted-on|timestamp|jp-relatedposts|yarpp)($|[\s_-])/i;
const WEAK_NEGATIVE = /(^|[\s_-])(header|site-header|banner|combx|community|extra|legends|remark|rss|shoutbox|skyscraper|supplemental|toolbar|tools|utility|meta|hidden|caption|credit|credits|subscribe-box|footnote-ref)($|[\s_-])/i;
const POSITIVE = /(^|[\s_-])(article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|prose|article-?body|post-?body|entry-?content|post-?content|story-?body)($|[\s_-])/i;
// Names of small metadata elements (dates, bylines, comment counts); applied as substrings to short elements.
const META_NAME = /date|datum|time|posted|byline|author|comments?-?(link|count)|post-?meta|entry-?meta|subtitle-meta/i;
const COMMENT_LINK = /#(comments?|disqus_thread|respond|reply)$/i;
/** Short elements at most this long (chars) may be metadata (readability drops bylines under 100 chars). */
const META_MAX_CHARS = 200;
const COMMENT_NAME = /comment|disqus|respond|repl(y|ies)|discussion/i;
/** Elements with a boilerplate name are kept when they hold this much text with few links. */
const PROSE_KEEP_CHARS = 1000;
const HIDDEN_STYLE = /(display\s*:\s*none|visibility\s*:\s*hidden)/i;

const PARAGRAPH_TAGS = new Set(['p', 'pre', 'td', 'blockquote', 'section', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dd']);
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figure', 'footer', 'form',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'ul', 'tr', 'td', 'th', 'tbody', 'thead',
]);

function classAndId(n: DomNode): string {
  const a = n.attribs;
  if (!a) return '';
  return `${a.class ?? ''} ${a.id ?? ''}`.trim();
}

/** Per-node text lengths (whitespace-collapsed chars) and link text lengths, memoised for one pass. */
class TextStats {
  private len = new Map<DomNode, number>();
  private link = new Map<DomNode, number>();
  private commas = new Map<DomNode, number>();

  private compute(n: DomNode, inLink: boolean): [number, number, number] {
    if (n.type === 'text') {
      const t = n.data ?? '';
      let chars = 0;
      let commas = 0;
      let space = true;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        const ws = c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 160;
        if (ws) {
          if (!space) chars++;
          space = true;
        } else {
          chars++;
          space = false;
          if (c === 44 || c === 0xff0c || c === 0x3001 || c === 0x060c) commas++;
        }
      }
      return [chars, inLink ? chars : 0, commas];
    }
    if (n.type !== 'tag' && n.type !== 'root') return [0, 0, 0];
    const cached = this.len.get(n);
    if (cached !== undefined) return [cached, this.link.get(n)!, this.commas.get(n)!];
    const isLink = inLink || n.name === 'a';
    let a = 0;
    let b = 0;
    let c = 0;
    for (const ch of n.children ?? []) {
      const [x, y, z] = this.compute(ch, isLink);
      a += x;
      b += y;
      c += z;
    }
    this.len.set(n, a);
    this.link.set(n, b);
    this.commas.set(n, c);
    return [a, b, c];
  }
  chars(n: DomNode): number {
    return this.compute(n, false)[0];
  }
  linkDensity(n: DomNode): number {
    const [a, b] = this.compute(n, false);
    return a ? b / a : 0;
  }
  commaCount(n: DomNode): number {
    return this.compute(n, false)[2];
  }
  invalidate(): void {
    this.len.clear();
    this.link.clear();
    this.commas.clear();
  }
}

export function extractTitle(root: DomNode): string {
  const og = findFirst(root, (n) => n.name === 'meta' && /^(og:title|twitter:title)$/i.test(attr(n, 'property') ?? attr(n, 'name') ?? ''));
  const ogTitle = og ? (attr(og, 'content') ?? '').replace(/\s+/g, ' ').trim() : '';
  if (ogTitle) return ogTitle;
  const t = findFirst(root, (n) => n.name === 'title');
  const title = t ? textOf(t) : '';
  if (title) return title;
  const h1 = findFirst(root, (n) => n.name === 'h1');
  return h1 ? textOf(h1) : '';
}

function isHidden(n: DomNode): boolean {
  const a = n.attribs;
  if (!a) return false;
  if (a.hidden !== undefined) return true;
  if (a['aria-hidden'] === 'true') return true;
  if (a.style && HIDDEN_STYLE.test(a.style)) return true;
  return false;
}

/** Step 1: removes what is never content. */
function prune(root: DomNode, stats: TextStats, o: ExtractOptions): void {
  const body = findFirst(root, (n) => n.name === 'body') ?? root;
  const total = Math.max(1, stats.chars(body));
  const doomed: DomNode[] = [];
  const walk = (n: DomNode, inArticle: boolean) => {
    for (const c of n.children ?? []) {
      if (c.type === 'comment' || c.type === 'directive' || c.type === 'cdata') {
        doomed.push(c);
        continue;
      }
      if (!isElement(c)) continue;
      const name = c.name!;
      if (DROP_TAGS.has(name) || c.type === 'script' || c.type === 'style' || isHidden(c)) {
        doomed.push(c);
        continue;
      }
      const big = () => stats.chars(c) > o.keepBoilerplateShare * total;
      const role = attr(c, 'role');
      if ((role && BOILERPLATE_ROLES.test(role)) && !big()) {
        doomed.push(c);
        continue;
      }
      if (BOILERPLATE_TAGS.has(name) && !big()) {
        // A <header> inside an article holds its title and byline, which are not body text either.
        doomed.push(c);
        continue;
      }
      // Permalink anchors next to headings ("¶", "#", "§"): markup, not text.
      if (name === 'a' && (attr(c, 'href') ?? '').startsWith('#') && /^\s*[¶#§🔗]\s*$/u.test(textOf(c))) {
        doomed.push(c);
        continue;
      }
      const ci = classAndId(c);
      if (stats.chars(c) < META_MAX_CHARS && ((ci && META_NAME.test(ci)) || hasCommentLink(c))) {
        doomed.push(c);
        continue;
      }
      if (ci && name !== 'body' && name !== 'html' && name !== 'article' && name !== 'main') {
        // A box named like boilerplate that holds a lot of prose is content with an unlucky name
        // ("read-more" wrappers of the second half of an article); comment threads are prose too, but never content.
        const prose = () => stats.chars(c) >= PROSE_KEEP_CHARS && stats.linkDensity(c) < 0.2 && !COMMENT_NAME.test(ci);
        if (STRONG_NEGATIVE.test(ci) && !big() && !prose()) {
          doomed.push(c);
          continue;
        }
        if (WEAK_NEGATIVE.test(ci) && !POSITIVE.test(ci) && !big()) {
          doomed.push(c);
          continue;
        }
      }
      walk(c, inArticle || name === 'article');
    }
  };
  walk(root, false);
  for (const d of doomed) removeNode(d);
  stats.invalidate();
}

function hasCommentLink(n: DomNode): boolean {
  for (const c of n.children ?? []) {
    if (c.type !== 'tag') continue;
    if (c.name === 'a' && COMMENT_LINK.test(attr(c, 'href') ?? '')) return true;
    if (hasCommentLink(c)) return true;
  }
  return false;
}

function classWeight(n: DomNode): number {
  const ci = classAndId(n);
  if (!ci) return 0;
  let w = 0;
  if (STRONG_NEGATIVE.test(ci) || WEAK_NEGATIVE.test(ci)) w -= 25;
  if (POSITIVE.test(ci)) w += 25;
  return w;
}

function initialScore(n: DomNode): number {
  let s = 0;
  switch (n.name) {
    case 'div': case 'article': case 'main': s = 5; break;
    case 'pre': case 'td': case 'blockquote': s = 3; break;
    case 'address': case 'ol': case 'ul': case 'dl': case 'dd': case 'dt': case 'li': case 'form': s = -3; break;
    case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': case 'th': s = -5; break;
  }
  if (n.name === 'article' || attr(n, 'itemprop') === 'articleBody') s += 25;
  return s + classWeight(n);
}

function hasBlockChild(n: DomNode): boolean {
  for (const c of n.children ?? []) if (c.type === 'tag' && BLOCK_TAGS.has(c.name!)) return true;
  return false;
}

/** Step 2: readability's candidate scoring. Returns the nodes whose content forms the article. */
function selectContent(root: DomNode, stats: TextStats, o: ExtractOptions): DomNode[] | null {
  const scores = new Map<DomNode, number>();
  const paragraphs: DomNode[] = [];
  const collect = (n: DomNode) => {
    for (const c of n.children ?? []) {
      if (c.type !== 'tag') continue;
      const name = c.name!;
      if (PARAGRAPH_TAGS.has(name) && (name !== 'section' && name !== 'li' && name !== 'td' || !hasBlockChild(c))) paragraphs.push(c);
      else if (name === 'div' && !hasBlockChild(c)) paragraphs.push(c); // text-only divs act as paragraphs
      if (name !== 'pre') collect(c);
    }
  };
  collect(root);
  for (const p of paragraphs) {
    const len = stats.chars(p);
    if (len < o.minParagraphChars) continue;
    const ancestors: DomNode[] = [];
    for (let a = p.parent; a && a.type === 'tag' && ancestors.length < 5; a = a.parent) ancestors.push(a);
    if (!ancestors.length) continue;
    let score = 1 + stats.commaCount(p) + Math.min(Math.floor(len / 100), 3);
    // Paragraphs full of links (link lists, tag clouds) say little about where the article is.
    score *= 1 - stats.linkDensity(p);
    ancestors.forEach((a, level) => {
      if (!scores.has(a)) scores.set(a, initialScore(a));
      const divider = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      scores.set(a, scores.get(a)! + score / divider);
    });
  }
  let top: DomNode | null = null;
  let topScore = -Infinity;
  for (const [n, s] of scores) {
    const final = s * (1 - stats.linkDensity(n));
    scores.set(n, final);
    if (final > topScore) {
      topScore = final;
      top = n;
    }
  }
  if (!top || top.name === 'body' || top.name === 'html') return top ? [top] : null;

  // Readability: when several good candidates share an ancestor, the article is that ancestor.
  const alternatives = [...scores.entries()].filter(([n, s]) => n !== top && s / topScore >= 0.75).map(([n]) => n);
  if (alternatives.length >= 3) {
    for (let a = top.parent; a && a.type === 'tag' && a.name !== 'body'; a = a.parent) {
      const contained = alternatives.filter((alt) => isAncestor(a, alt)).length;
      if (contained >= 3) {
        top = a;
        break;
      }
    }
  }
  // Move up while the parent is a wrapper adding nothing but the candidate.
  while (top.parent && top.parent.type === 'tag' && top.parent.name !== 'body' && top.parent.name !== 'html'
    && stats.chars(top.parent) <= stats.chars(top) * 1.05) top = top.parent;

  // Siblings that look like content join the article.
  const parent = top.parent;
  if (!parent || !parent.children) return [top];
  const threshold = Math.max(10, topScore * o.siblingScoreRatio);
  const topClass = attr(top, 'class');
  const out: DomNode[] = [];
  for (const s of parent.children) {
    if (s === top) {
      out.push(s);
      continue;
    }
    if (s.type === 'text') {
      if ((s.data ?? '').trim().length > 80) out.push(s);
      continue;
    }
    if (s.type !== 'tag') continue;
    let bonus = 0;
    if (topClass && attr(s, 'class') === topClass) bonus += topScore * 0.2;
    const sc = scores.get(s);
    if (sc !== undefined && sc + bonus >= threshold) {
      out.push(s);
      continue;
    }
    if (s.name === 'p' || s.name === 'pre' || s.name === 'blockquote' || s.name === 'ul' || s.name === 'ol' || /^h[2-6]$/.test(s.name!)) {
      const len = stats.chars(s);
      const ld = stats.linkDensity(s);
      const text = textOf(s);
      if (/^h[2-6]$/.test(s.name!)) {
        if (len > 0 && ld < 0.5 && nextIsContent(s, parent.children, out)) out.push(s);
      } else if (len > 80 && ld < 0.25) out.push(s);
      else if (len > 0 && len <= 80 && ld === 0 && /[.!?:;]\s*$|[.!?]["”’)]?$/.test(text)) out.push(s);
    }
  }
  return out;
}

function nextIsContent(h: DomNode, siblings: DomNode[], _sofar: DomNode[]): boolean {
  const i = siblings.indexOf(h);
  for (let j = i + 1; j < siblings.length; j++) {
    const s = siblings[j]!;
    if (s.type === 'tag') return s.name === 'p' || s.name === 'pre' || s.name === 'ul' || s.name === 'ol' || s.name === 'div' || s.name === 'blockquote';
  }
  return false;
}

function isAncestor(a: DomNode, n: DomNode): boolean {
  for (let p = n.parent; p; p = p.parent) if (p === a) return true;
  return false;
}

/** Step 3: readability's _cleanConditionally, simplified: boxes that are mostly links or widgets go. */
function cleanConditionally(nodes: DomNode[], stats: TextStats): void {
  const doomed: DomNode[] = [];
  const visit = (n: DomNode) => {
    for (const c of n.children ?? []) {
      if (c.type !== 'tag') continue;
      const name = c.name!;
      if (name === 'pre' || name === 'code') continue;
      if (name === 'ul' || name === 'ol' || name === 'div' || name === 'section' || name === 'table' || name === 'form' || name === 'dl') {
        const len = stats.chars(c);
        const ld = stats.linkDensity(c);
        const weight = classWeight(c);
        const commas = stats.commaCount(c);
        if (len === 0) {
          doomed.push(c);
          continue;
        }
        if (weight < 0 && ld > 0.2) {
          doomed.push(c);
          continue;
        }
        if (commas < 10) {
          if ((name === 'ul' || name === 'ol') ? ld > 0.7 && len < 2000 : (ld > 0.5 && len < 2000) || (weight < 25 && ld > 0.35 && len < 300)) {
            doomed.push(c);
            continue;
          }
        }
      }
      visit(c);
    }
  };
  for (const n of nodes) visit(n);
  for (const d of doomed) removeNode(d);
  stats.invalidate();
}

/**
 * Text of a tree too deep for the recursive passes (pathological or hostile markup nested thousands of
 * levels): every text node outside scripts and styles, one block per text-bearing element, iteratively.
 */
function flatText(root: DomNode): string {
  const out: string[] = [];
  const stack: DomNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'text') {
      const t = (n.data ?? '').replace(/\s+/g, ' ').trim();
      if (t) out.push(t);
    } else if (n.type === 'tag' || n.type === 'root') {
      if (n.name && DROP_TAGS.has(n.name)) continue;
      const c = n.children ?? [];
      for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]!);
    }
  }
  return out.join('\n\n');
}

/** Extracts the main text and the title of an HTML page. */
export function extractMainText(html: string, url?: string, options: Partial<ExtractOptions> = {}): Extracted {
  const o = { ...defaultExtractOptions, ...options };
  const root = parseHtml(html, o.parser);
  try {
    return extractFromTree(root, url, o);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { text: flatText(root), title: '' };
  }
}

function extractFromTree(root: DomNode, url: string | undefined, o: ExtractOptions): Extracted {
  void url; // reserved for site-specific rules and resolving relative links; not needed for text
  const title = extractTitle(root);
  const stats = new TextStats();
  prune(root, stats, o);
  const body = findFirst(root, (n) => n.name === 'body') ?? root;
  const whole = stats.chars(body);
  const selected = selectContent(body, stats, o);
  let text = '';
  if (selected && selected.length) {
    cleanConditionally(selected, stats);
    text = renderText(selected);
  }
  // Too little for an article while the page has more: render the pruned page (readability's retry).
  if (text.length < o.minArticleChars && whole > text.length * 2) {
    cleanConditionally([body], stats);
    const all = renderText([body]);
    if (all.length > text.length) text = all;
  }
  return { text, title };
}

/** Renders an HTML fragment (feed item content) as text, without looking for a main block. */
export function htmlToText(html: string, options: Partial<Pick<ExtractOptions, 'parser'>> = {}): string {
  const root = parseHtml(html, options.parser ?? defaultExtractOptions.parser);
  const doomed: DomNode[] = [];
  const walk = (n: DomNode) => {
    for (const c of n.children ?? []) {
      if (c.type === 'comment' || c.type === 'script' || c.type === 'style' || (c.type === 'tag' && (DROP_TAGS.has(c.name!) && c.name !== 'figcaption' || isHidden(c)))) doomed.push(c);
      else walk(c);
    }
  };
  try {
    walk(root);
    for (const d of doomed) removeNode(d);
    return renderText([root]);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return flatText(root);
  }
}
