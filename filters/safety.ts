/**
 * SafeSearch STAND-IN. The paper drops MassiveWeb pages that Google SafeSearch flags as explicit
 * (gopher-spec.md §2.1 [P~]); SafeSearch is Google-internal and cannot be reproduced. This filter is what
 * peers substitute (datatrove `URLFilter`: a domain/URL blocklist plus banned words in the URL) and is a
 * documented deviation from the paper:
 *
 * | reason                 | rule                                                                              |
 * | ---------------------- | --------------------------------------------------------------------------------- |
 * | safety:blocked_domain  | the URL's host, or a parent domain of it, is on a blocklist (incl. the adult TLDs  |
 * |                        | .xxx .porn .sex .adult)                                                           |
 * | safety:blocked_url     | host + path starts with a blocklisted URL (UT1 `urls` file entries)                |
 * | safety:url_term        | a token of the host or path (split on non-alphanumerics) is a banned URL term      |
 * | safety:explicit_terms  | >= `minExplicitMatches` explicit-term matches covering more than                   |
 * |                        | `maxExplicitCharFraction` of the non-whitespace characters                        |
 *
 * Blocklists: a small bundled list of large adult sites (below) plus any number of files in the UT1
 * blacklist format (Université Toulouse 1, https://dsi.ut-capitole.fr/blacklists/, e.g. its `adult`
 * category): a category directory holding `domains` and/or `urls` files, or a single such file; one entry
 * per line, `#` comments and blank lines ignored, entries containing `/` are URLs (`host/path`).
 *
 * The explicit-term list is deliberately short and pornography-specific: the paper avoids word lists
 * because they remove text about or by minority groups, so no identity terms and no words with common
 * innocent senses (cock, pussy, tits, sex, adult, nude, gay...) are on it, and a density threshold rather
 * than a single hit decides.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { drop, KEEP, MassivetextError, type Document, type Filter, type Verdict } from '../pipeline/index.js';
import { analyzeText } from './text-analysis.js';

export interface SafetyOptions {
  /** Bundled domains (suffix match at label boundaries). */
  domains: string[];
  /** UT1-format blocklist files or category directories, read once when the filter is built. */
  blocklistFiles: string[];
  /** Tokens that may not appear in a URL's host or path. */
  urlTerms: string[];
  /** Explicit terms (lower-case; ASCII terms match whole words, CJK terms match anywhere). */
  explicitTerms: string[];
  /** Ours (no source): fewer matches never drop a document. */
  minExplicitMatches: number;
  /** Ours (no source): share of non-whitespace characters inside explicit-term matches. */
  maxExplicitCharFraction: number;
}

/** Large adult sites and the adult-only TLDs (ICANN sponsored .xxx; .porn/.sex/.adult from 2015). */
export const BUNDLED_BLOCKED_DOMAINS: readonly string[] = [
  'xxx', 'porn', 'sex', 'adult',
  'pornhub.com', 'xvideos.com', 'xnxx.com', 'xhamster.com', 'redtube.com', 'youporn.com', 'tube8.com',
  'spankbang.com', 'youjizz.com', 'beeg.com', 'txxx.com', 'hclips.com', 'eporner.com', 'tnaflix.com',
  'drtuber.com', 'porn.com', 'motherless.com', '4tube.com', 'porntrex.com', 'hqporner.com', 'xtube.com',
  'chaturbate.com', 'livejasmin.com', 'stripchat.com', 'bongacams.com', 'cam4.com', 'myfreecams.com',
  'camsoda.com', 'brazzers.com', 'realitykings.com', 'bangbros.com', 'naughtyamerica.com',
  'adultfriendfinder.com', 'nhentai.net', 'e-hentai.org', 'hentaihaven.xxx', 'rule34.xxx', 'fapster.xxx',
];

/** Banned URL tokens (the host and path are split on non-alphanumerics). */
// Not 'porn' or 'sex' on their own: news URLs contain them ("...-porn-actor-..." on theguardian.com, a real
// fixture that such a rule would drop).
export const BUNDLED_URL_TERMS: readonly string[] = [
  'pornhub', 'xvideos', 'xnxx', 'xhamster', 'redtube', 'youporn', 'hentai', 'camgirl', 'camgirls', 'sexcam', 'sexcams',
  'pornstar', 'pornstars', 'pornvideos', 'xxxvideos', 'freeporn', 'porntube',
];

/** Pornography-specific terms; see the module header for what is deliberately left out. */
export const BUNDLED_EXPLICIT_TERMS: readonly string[] = [
  'porn', 'porno', 'pornographic', 'xxx', 'hardcore', 'blowjob', 'blowjobs', 'cumshot', 'cumshots', 'creampie',
  'gangbang', 'milf', 'milfs', 'hentai', 'dildo', 'dildos', 'camgirl', 'camgirls', 'handjob', 'deepthroat',
  'bukkake', 'threesome', 'orgy', 'horny', 'slut', 'sluts', 'whore', 'fuck', 'fucking', 'fucked', 'pussies',
  'boobs', 'nudes', 'sexcam', 'webcam sex', 'sex video', 'sex videos', 'porn video', 'porn videos', 'xxx video',
  '色情', '成人视频', '成人影片', '黄色网站', '黄片', 'av女优', '无码', '自拍偷拍', '偷拍', '人妻', '乱伦', '淫',
];

export const defaultSafetyOptions: Readonly<SafetyOptions> = Object.freeze({
  domains: [...BUNDLED_BLOCKED_DOMAINS],
  blocklistFiles: [],
  urlTerms: [...BUNDLED_URL_TERMS],
  explicitTerms: [...BUNDLED_EXPLICIT_TERMS],
  minExplicitMatches: 3,
  maxExplicitCharFraction: 0.01,
});

export const SAFETY_REASONS = ['safety:blocked_domain', 'safety:blocked_url', 'safety:url_term', 'safety:explicit_terms'] as const;

export interface Blocklist {
  domains: Set<string>;
  /** host -> path prefixes (with a leading `/`). */
  urls: Map<string, string[]>;
}

/** Reads UT1-format blocklists: category directories (with `domains`/`urls`) or single files. */
export function readBlocklists(files: string[], into: Blocklist = { domains: new Set(), urls: new Map() }): Blocklist {
  for (const f of files) {
    if (!existsSync(f)) {
      throw new MassivetextError('blocklist_not_found', `blocklist ${f} does not exist`, 'pass a UT1 category directory (with domains/urls files) or a file with one domain or URL per line', { file: f });
    }
    const list = statSync(f).isDirectory() ? ['domains', 'urls'].map((n) => path.join(f, n)).filter(existsSync) : [f];
    if (list.length === 0) {
      throw new MassivetextError('blocklist_empty', `blocklist directory ${f} has neither a domains nor a urls file`, 'UT1 categories hold files named domains and urls', { file: f });
    }
    for (const file of list) {
      const lines = readFileSync(file, 'utf8').split(/\r?\n/);
      for (const raw of lines) {
        const line = raw.trim().toLowerCase();
        if (!line || line.startsWith('#')) continue;
        addEntry(into, line);
      }
    }
  }
  return into;
}

function addEntry(b: Blocklist, entry: string): void {
  const e = entry.replace(/^[a-z]+:\/\//, '').replace(/^www\./, '');
  const slash = e.indexOf('/');
  if (slash < 0) {
    b.domains.add(e.replace(/\.$/, ''));
    return;
  }
  const host = e.slice(0, slash);
  const p = e.slice(slash);
  const list = b.urls.get(host) ?? [];
  list.push(p);
  b.urls.set(host, list);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class Safety {
  private readonly o: SafetyOptions;
  private readonly blocklist: Blocklist;
  private readonly urlTerms: Set<string>;
  private readonly termRe: RegExp | null;

  constructor(options: Partial<SafetyOptions>) {
    this.o = { ...defaultSafetyOptions, ...options };
    this.blocklist = { domains: new Set(), urls: new Map() };
    for (const d of this.o.domains) addEntry(this.blocklist, d.toLowerCase());
    readBlocklists(this.o.blocklistFiles, this.blocklist);
    this.urlTerms = new Set(this.o.urlTerms.map((t) => t.toLowerCase()));
    const ascii = this.o.explicitTerms.filter((t) => /^[\x20-\x7e]+$/.test(t)).sort((a, b) => b.length - a.length);
    const other = this.o.explicitTerms.filter((t) => !/^[\x20-\x7e]+$/.test(t)).sort((a, b) => b.length - a.length);
    const parts: string[] = [];
    if (ascii.length) parts.push(`\\b(?:${ascii.map((t) => escapeRegExp(t).replace(/ /g, '\\s+')).join('|')})\\b`);
    if (other.length) parts.push(`(?:${other.map(escapeRegExp).join('|')})`);
    this.termRe = parts.length ? new RegExp(parts.join('|'), 'giu') : null;
  }

  check(doc: Document): Verdict {
    const url = typeof doc.meta?.url === 'string' ? doc.meta.url : undefined;
    if (url) {
      const v = this.checkUrl(url);
      if (!v.keep) return v;
    }
    return this.checkText(doc.text);
  }

  checkUrl(url: string): Verdict {
    let u: URL;
    try {
      u = new URL(/^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`);
    } catch {
      return KEEP; // not a URL we can read: nothing to match (sources count malformed URLs themselves)
    }
    const host = u.hostname.toLowerCase().replace(/\.$/, '');
    const labels = host.split('.');
    for (let i = 0; i < labels.length; i++) {
      const d = labels.slice(i).join('.');
      if (this.blocklist.domains.has(d)) return drop('safety:blocked_domain', d);
    }
    const p = decodeSafe(u.pathname).toLowerCase();
    for (let i = 0; i < labels.length; i++) {
      const d = labels.slice(i).join('.');
      for (const prefix of this.blocklist.urls.get(d) ?? []) {
        if (p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) || p.startsWith(prefix + '.')) {
          return drop('safety:blocked_url', `${d}${prefix}`);
        }
      }
    }
    if (this.urlTerms.size) {
      for (const t of `${host} ${p} ${decodeSafe(u.search).toLowerCase()}`.split(/[^\p{L}\p{N}]+/u)) {
        if (t && this.urlTerms.has(t)) return drop('safety:url_term', t);
      }
    }
    return KEEP;
  }

  checkText(text: string): Verdict {
    if (!this.termRe) return KEEP;
    this.termRe.lastIndex = 0;
    let matches = 0;
    let chars = 0;
    for (const m of text.matchAll(this.termRe)) {
      matches++;
      chars += m[0].length;
    }
    if (matches < this.o.minExplicitMatches) return KEEP;
    const nonWs = analyzeText(text).nonWhitespace;
    const frac = nonWs ? chars / nonWs : 0;
    if (frac > this.o.maxExplicitCharFraction) {
      return drop('safety:explicit_terms', `${matches} matches, ${Math.round(frac * 10000) / 10000} of characters > ${this.o.maxExplicitCharFraction}`);
    }
    return KEEP;
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The SafeSearch stand-in (see the module header). Blocklist files are read here, once; a missing file
 * is a MassivetextError (`blocklist_not_found`).
 */
export function safetyFilter(options: Partial<SafetyOptions> = {}): Filter {
  const s = new Safety(options);
  return { name: 'safety', check: (doc: Document) => s.check(doc) };
}
