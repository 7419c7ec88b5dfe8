/**
 * Caps how deeply HTML elements nest before the page is parsed. htmlparser2 keeps its open-element stack
 * with Array#unshift/shift and searches it with indexOf, so each tag costs O(depth): a hostile page of
 * 100,000 nested (or never closed) tags takes minutes (measured: 64 s for 100k unclosed `<div><span>`).
 * Browsers cap the tree too: Blink's HTML parser stops nesting at 512 levels
 * (kMaximumHTMLParserDOMTreeDepth), the limit used here. Start tags beyond it are removed (their text
 * stays, in place), and so are end tags that close nothing we kept. Pages that never get that deep are
 * returned unchanged, so ordinary pages parse exactly as before.
 */

export interface NestingLimit {
  html: string;
  /** Tags removed (0: the input is returned as is). */
  removed: number;
}

/** Blink's kMaximumHTMLParserDOMTreeDepth. */
export const MAX_HTML_DEPTH = 512;

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'basefont', 'bgsound', 'frame', 'keygen', 'image', 'isindex', 'menuitem', 'nextid', 'command']);
/** Start tags that close an open element of their own kind (paragraphs, list items, table parts): siblings, not nesting. */
const SIBLINGS = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'rb', 'rt', 'rp', 'rtc', 'thead', 'tbody', 'tfoot']);
/** Elements whose content is raw text for htmlparser2: no tags inside. */
const RAW = new Set(['script', 'style', 'title', 'textarea']);
/** How far down the stack an end tag is matched (htmlparser2 searches all of it). */
const MATCH_WINDOW = 64;

const TAG = /<(\/?)([a-zA-Z][^\s/>]*)[^>]*>|<!--[\s\S]*?(?:-->|$)/g;

export function limitNesting(html: string, maxDepth = MAX_HTML_DEPTH): NestingLimit {
  // Fewer tags than the limit cannot nest deeper than it.
  let count = 0;
  for (let i = html.indexOf('<'); i >= 0 && count <= maxDepth; i = html.indexOf('<', i + 1)) count++;
  if (count <= maxDepth) return { html, removed: 0 };

  const stack: string[] = [];
  const out: string[] = [];
  let last = 0;
  let removed = 0;
  const cut = (start: number, end: number) => {
    out.push(html.slice(last, start), ' ');
    last = end;
    removed++;
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    if (m[2] === undefined) continue; // a comment
    const name = m[2].toLowerCase();
    const end = TAG.lastIndex;
    if (m[1] !== '/') {
      if (RAW.has(name)) {
        const close = new RegExp(`</${name}`, 'gi');
        close.lastIndex = end;
        const c = close.exec(html);
        TAG.lastIndex = c ? c.index : html.length;
        continue;
      }
      if (VOID.has(name) || SIBLINGS.has(name) || m[0].endsWith('/>')) continue;
      if (stack.length >= maxDepth) cut(m.index, end);
      else stack.push(name);
      continue;
    }
    if (VOID.has(name) || SIBLINGS.has(name)) continue;
    let k = stack.length - 1;
    const floor = Math.max(0, stack.length - MATCH_WINDOW);
    while (k >= floor && stack[k] !== name) k--;
    if (k >= floor) stack.length = k;
    else if (stack.length >= maxDepth) cut(m.index, end); // closes a removed start tag (or nothing)
  }
  if (!removed) return { html, removed: 0 };
  out.push(html.slice(last));
  return { html: out.join(''), removed };
}
