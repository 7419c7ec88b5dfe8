/**
 * Wikitext -> plain text for a language-model corpus.
 *
 * Removed: comments, references (`<ref>`), templates (`{{...}}`, except a few inline ones whose text is part
 * of the sentence: lang, nowrap, convert, dashes ...), tables (`{| ... |}`), files/images/media, categories,
 * interlanguage links, math/gallery/code blocks, magic words, bold/italic quotes, HTML tags (their text kept),
 * boilerplate sections (References, External links, See also, ...) and sections left empty.
 * Kept: the prose; internal links reduced to their text (`[[a|b]]` -> b, `[[a]]s` -> as); external links to
 * their label; list items without their bullets; headings as their own lines.
 * The same choices as WikiExtractor (attardi/wikiextractor) and gensim's `filter_wiki` make, done in one
 * linear pass per construct (nesting handled with stacks, not repeated regex passes).
 */

export interface WikitextOptions {
  /** Sections dropped with everything under them (lower-case heading text). Appendix sections hold no prose. */
  dropSections: readonly string[];
  /** Keep section headings as their own lines (true) or drop them. */
  keepHeadings: boolean;
}

export const defaultWikitextOptions: WikitextOptions = {
  // English Wikipedia's standard appendices (WP:Manual of Style/Layout#Standard appendices and footers).
  dropSections: ['references', 'external links', 'see also', 'further reading', 'notes', 'footnotes', 'bibliography',
    'sources', 'citations', 'notes and references', 'references and notes', 'works cited', 'general references',
    'explanatory notes', 'gallery'],
  keepHeadings: true,
};

/** Tags whose content is dropped together with the tag. */
const DROP_CONTENT_TAGS = ['ref', 'references', 'math', 'chem', 'ce', 'gallery', 'imagemap', 'timeline', 'score', 'graph',
  'hiero', 'syntaxhighlight', 'source', 'templatedata', 'inputbox', 'categorytree', 'mapframe', 'maplink', 'includeonly',
  'noinclude', 'indicator', 'section', 'charinsert'];
/** `<tag .../>` or `<tag ...>...</tag>` for the tags above, in one pass. */
const DROP_TAGS_RE = new RegExp(`<(${DROP_CONTENT_TAGS.join('|')})\\b(?:[^>]*?\\/>|[^>]*?>[\\s\\S]*?<\\/\\1\\s*>)`, 'gi');
const TAG_RE = /<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g;
const NOWIKI_RE = /<nowiki\s*>([\s\S]*?)<\/nowiki\s*>|<nowiki\s*\/>/gi;

/** Namespaces whose links are not prose (English names + the canonical ones every wiki accepts). */
const HIDDEN_LINK_NAMESPACES = new Set(['file', 'image', 'media', 'category']);
/** Interlanguage links `[[fr:Anarchisme]]`: a language code prefix (2-3 letters, optional -variant). */
const INTERLANGUAGE_RE = /^(?:[a-z]{2,3}(?:-[a-z]{2,8})*|simple|be-x-old|zh-min-nan|zh-classical|zh-yue|roa-rup|roa-tara|bat-smg|fiu-vro|map-bms|nds-nl|cbk-zam):/i;

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ', zwj: '', zwnj: '', shy: '', lrm: '', rlm: '',
  ndash: '\u2013', mdash: '\u2014', minus: '\u2212', hellip: '\u2026', times: '\u00d7', divide: '\u00f7',
  lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d', laquo: '\u00ab', raquo: '\u00bb', sbquo: '\u201a', bdquo: '\u201e',
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", deg: '\u00b0', middot: '\u00b7', bull: '\u2022', prime: '\u2032', Prime: '\u2033',
  plusmn: '\u00b1', le: '\u2264', ge: '\u2265', ne: '\u2260', asymp: '\u2248', infin: '\u221e', frac12: '\u00bd', frac14: '\u00bc',
  frac34: '\u00be', euro: '\u20ac', pound: '\u00a3', yen: '\u00a5', cent: '\u00a2', copy: '\u00a9', reg: '\u00ae', trade: '\u2122',
  sect: '\u00a7', para: '\u00b6', larr: '\u2190', rarr: '\u2192', harr: '\u2194', uarr: '\u2191', darr: '\u2193', sup2: '\u00b2',
  sup3: '\u00b3', micro: '\u00b5', alpha: '\u03b1', beta: '\u03b2', gamma: '\u03b3', delta: '\u03b4', pi: '\u03c0', mu: '\u03bc',
  sigma: '\u03c3', omega: '\u03c9', lambda: '\u03bb', theta: '\u03b8', eacute: '\u00e9', aacute: '\u00e1', oacute: '\u00f3',
  uuml: '\u00fc', ouml: '\u00f6', auml: '\u00e4', szlig: '\u00df', ccedil: '\u00e7', ntilde: '\u00f1',
};
const HTML_ENTITY_RE = /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z][a-zA-Z0-9]*));/g;

export function decodeHtmlEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(HTML_ENTITY_RE, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? m;
    const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

function removeComments(s: string): string {
  let i = s.indexOf('<!--');
  if (i < 0) return s;
  let out = '';
  let from = 0;
  while (i >= 0) {
    out += s.slice(from, i);
    const end = s.indexOf('-->', i + 4);
    if (end < 0) return out; // unterminated comment hides the rest, as MediaWiki does
    from = end + 3;
    i = s.indexOf('<!--', from);
  }
  return out + s.slice(from);
}

/**
 * Replaces balanced `open ... close` spans, innermost first, in one pass: `fn(inner)` gives the replacement.
 * Unbalanced openers are left in place as text.
 */
export function replaceNested(s: string, open: string, close: string, fn: (inner: string) => string): string {
  if (s.indexOf(open) < 0) return s;
  const frames: string[][] = [[]];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const o = s.indexOf(open, i);
    const c = frames.length > 1 ? s.indexOf(close, i) : -1;
    if (o < 0 && c < 0) break;
    if (c >= 0 && (o < 0 || c < o)) {
      frames[frames.length - 1]!.push(s.slice(i, c));
      const inner = frames.pop()!.join('');
      frames[frames.length - 1]!.push(fn(inner));
      i = c + close.length;
    } else {
      frames[frames.length - 1]!.push(s.slice(i, o));
      frames.push([]);
      i = o + open.length;
    }
  }
  frames[frames.length - 1]!.push(s.slice(i));
  while (frames.length > 1) {
    const inner = frames.pop()!.join('');
    frames[frames.length - 1]!.push(open + inner);
  }
  return frames[0]!.join('');
}

/** Splits at top-level `|` (not inside `[[...]]`). */
function splitPipes(s: string): string[] {
  if (s.indexOf('[[') < 0) return s.split('|');
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 91 && s.charCodeAt(i + 1) === 91) {
      depth++;
      i++;
    } else if (ch === 93 && s.charCodeAt(i + 1) === 93 && depth > 0) {
      depth--;
      i++;
    } else if (ch === 124 && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function positional(parts: string[]): string[] {
  return parts.slice(1).filter((p) => !/^\s*[\w -]+\s*=/.test(p)).map((p) => p.trim());
}

function named(parts: string[], ...names: string[]): string | undefined {
  for (const p of parts.slice(1)) {
    const m = /^\s*([\w -]+?)\s*=([\s\S]*)$/.exec(p);
    if (m && names.includes(m[1]!.toLowerCase())) return m[2]!.trim();
  }
  return undefined;
}

const RANGE_WORDS = new Set(['to', '-', '–', 'and', 'or', 'by', 'x', '×', 'and(-)', 'to(-)']);

/** Text of an inline template that belongs to the sentence; '' for everything else. */
export function templateText(inner: string): string {
  const parts = splitPipes(inner);
  const name = parts[0]!.trim().toLowerCase().replace(/_/g, ' ');
  if (name.startsWith('#') || name.startsWith('subst:')) return '';
  const pos = positional(parts);
  switch (name) {
    case 'lang': return pos[1] ?? '';
    case 'nowrap': case 'nobr': case 'small': case 'smaller': case 'big': case 'larger': case 'mvar': case 'math':
    case 'sub': case 'sup': case 'abbr': case 'nihongo': case 'sic': case 'not a typo': case 'em': case 'strong':
    case 'var': case 'tooltip': case 'keypress': case 'code': case 'angbr': case 'ill': case 'interlanguage link':
    case 'proper name': case 'linktext': case 'lang-en':
      return pos[0] ?? '';
    case 'resize': return pos[pos.length - 1] ?? '';
    case 'transl': case 'transliteration': return pos[pos.length - 1] ?? '';
    case 'convert': case 'cvt': {
      if (pos.length >= 4 && RANGE_WORDS.has(pos[1]!)) return `${pos[0]} ${pos[1]} ${pos[2]} ${pos[3]}`;
      return pos.length >= 2 ? `${pos[0]} ${pos[1]}` : pos[0] ?? '';
    }
    case 'ndash': case 'dash': case 'en dash': return '\u2013';
    case 'mdash': case 'em dash': return '\u2014';
    case 'snd': case 'spaced ndash': case 'spnd': case 'sndash': return ' \u2013 ';
    case 'nbsp': case 'space': case 'sp': return ' ';
    case "'": return "'";
    case "'s": return "'s";
    case 'circa': case 'c.': return pos[0] ? `c. ${pos[0]}` : 'c.';
    case 'frac': return pos.join('/');
    case 'as of': return pos[0] ? `As of ${pos[0]}` : '';
    case 'quote': case 'blockquote': case 'cquote': case 'quotation': case 'quote box': case 'poem quote':
      return named(parts, 'text', 'quote') ?? pos[0] ?? '';
    default:
      if (name.startsWith('lang-')) return pos[0] ?? '';
      return '';
  }
}

export interface LinkContext {
  /** Extra hidden namespace prefixes (localized File/Category names from the dump's siteinfo), lower-case. */
  hiddenNamespaces?: ReadonlySet<string>;
}

/** Text of an internal link `[[inner]]`: display text, or '' for files, categories and interlanguage links. */
export function linkText(inner: string, ctx: LinkContext = {}): string {
  const bar = inner.indexOf('|');
  let target = (bar < 0 ? inner : inner.slice(0, bar)).trim();
  const visibleColon = target.startsWith(':');
  if (visibleColon) target = target.slice(1);
  const colon = target.indexOf(':');
  if (!visibleColon && colon > 0) {
    const prefix = target.slice(0, colon).trim().toLowerCase();
    if (HIDDEN_LINK_NAMESPACES.has(prefix) || ctx.hiddenNamespaces?.has(prefix)) return '';
    if (INTERLANGUAGE_RE.test(target) && bar < 0) return '';
  }
  if (bar < 0) return target;
  const display = inner.slice(bar + 1);
  if (display.trim() === '') {
    // pipe trick: [[Foo (bar)|]] -> Foo ; [[ns:Foo|]] -> Foo
    return target.replace(/^[^:]*:/, '').replace(/\s*\([^)]*\)\s*$/, '').replace(/,.*$/, '');
  }
  return display;
}

const EXTERNAL_LINK_RE = /\[(?:https?:|ftp:|mailto:|news:|irc:|\/\/)[^\s\]]*(?:[ \t]+([^\]\n]*))?\]/g;
const MAGIC_WORD_RE = /__[A-Z]+__/g;
const QUOTES_RE = /'{2,}/g;
const HEADING_RE = /^(={1,6})\s*(.*?)\s*\1\s*$/;

/** Private-use stand-ins that protect <nowiki> content from the markup passes. */
const PROTECT: Record<string, string> = { '[': '\uE000', ']': '\uE001', '{': '\uE002', '}': '\uE003', '|': '\uE004', "'": '\uE005', '<': '\uE006', '>': '\uE007', '=': '\uE008' };
const UNPROTECT: Record<string, string> = Object.fromEntries(Object.entries(PROTECT).map(([k, v]) => [v, k]));
const PROTECTED_RE = /[\uE000-\uE008]/g;

interface Line {
  heading?: number;
  text: string;
}

export function wikitextToText(wikitext: string, options: Partial<WikitextOptions> = {}, ctx: LinkContext = {}): string {
  const o = { ...defaultWikitextOptions, ...options };
  let s = removeComments(wikitext);
  let protectedText = false;
  if (s.indexOf('<nowiki') >= 0 || s.indexOf('<NOWIKI') >= 0) {
    s = s.replace(NOWIKI_RE, (_m, content: string | undefined) => {
      protectedText = true;
      return content === undefined ? '' : content.replace(/[[\]{}|'<>=]/g, (c) => PROTECT[c]!);
    });
  }
  if (s.indexOf('<') >= 0) s = s.replace(DROP_TAGS_RE, '');
  s = replaceNested(s, '{{', '}}', templateText);
  s = removeTables(s);
  s = replaceNested(s, '[[', ']]', (inner) => linkText(inner, ctx));
  if (s.indexOf('[') >= 0) s = s.replace(EXTERNAL_LINK_RE, (_m, label: string | undefined) => label ?? '');
  if (s.indexOf('<') >= 0) s = s.replace(TAG_RE, (_m, tag: string) => (tag.toLowerCase() === 'br' ? '\n' : ''));
  if (s.indexOf('__') >= 0) s = s.replace(MAGIC_WORD_RE, '');
  if (s.indexOf("''") >= 0) s = s.replace(QUOTES_RE, '');

  const lines: Line[] = [];
  for (const raw of s.split('\n')) {
    let line = raw.trim();
    if (line === '') {
      lines.push({ text: '' });
      continue;
    }
    const h = HEADING_RE.exec(line);
    if (h) {
      lines.push({ heading: h[1]!.length, text: tidy(h[2]!) });
      continue;
    }
    if (/^-{4,}$/.test(line)) continue;
    const c0 = line.charCodeAt(0);
    if (c0 === 42 || c0 === 35 || c0 === 58 || c0 === 59) line = line.replace(/^[*#:;]+\s*/, '');
    line = tidy(line);
    if (line !== '') lines.push({ text: line });
  }
  const kept = dropSections(lines, o);
  let out = '';
  let blank = 0;
  for (const l of kept) {
    if (l.text === '') {
      blank++;
      continue;
    }
    if (out !== '') out += blank > 0 || l.heading !== undefined ? '\n\n' : '\n';
    out += l.text;
    blank = l.heading !== undefined ? 1 : 0;
  }
  if (protectedText) out = out.replace(PROTECTED_RE, (c) => UNPROTECT[c]!);
  return out;
}

/** Entities, leftover empty brackets from removed templates, and runs of spaces. */
function tidy(line: string): string {
  let t = decodeHtmlEntities(line);
  if (t.indexOf('(') >= 0) t = t.replace(/\(\s*[,;:]?\s*\)/g, '').replace(/\(\s*[,;]\s*/g, '(');
  t = t.replace(/[ \t\u00a0]{2,}/g, ' ').replace(/ ([,.;:])(?=\s|$)/g, '$1');
  return t.trim();
}

/** Removes `{| ... |}` tables (nested), which start and end at the beginning of a line. */
export function removeTables(s: string): string {
  if (s.indexOf('{|') < 0) return s;
  const out: string[] = [];
  let depth = 0;
  for (const line of s.split('\n')) {
    const t = line.trimStart().replace(/^:+\s*/, '');
    if (t.startsWith('{|')) {
      depth++;
      continue;
    }
    if (depth > 0) {
      if (t.startsWith('|}')) depth--;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

function dropSections(lines: Line[], o: WikitextOptions): Line[] {
  const drop = new Set(o.dropSections);
  const out: Line[] = [];
  // 1. boilerplate sections with their subsections
  let skipLevel = 0;
  for (const l of lines) {
    if (l.heading !== undefined) {
      if (skipLevel && l.heading > skipLevel) continue;
      skipLevel = drop.has(l.text.toLowerCase()) ? l.heading : 0;
      if (skipLevel) continue;
    } else if (skipLevel) continue;
    out.push(l);
  }
  // 2. headings with no content before the next heading of the same or a higher level
  const kept: Line[] = [];
  for (let i = 0; i < out.length; i++) {
    const l = out[i]!;
    if (l.heading === undefined) {
      kept.push(l);
      continue;
    }
    if (!o.keepHeadings) continue;
    let hasContent = false;
    for (let j = i + 1; j < out.length; j++) {
      const m = out[j]!;
      if (m.heading !== undefined) {
        if (m.heading <= l.heading) break;
        continue;
      }
      if (m.text !== '') {
        hasContent = true;
        break;
      }
    }
    if (hasContent && l.text !== '') kept.push(l);
  }
  return kept;
}
