/**
 * robots.txt per RFC 9309 (the Robots Exclusion Protocol, as Google implements it): groups of
 * user-agent lines with Allow/Disallow rules; the group whose product token matches ours (case-insensitive)
 * applies, else the `*` group; the longest matching rule wins, Allow wins a tie; `*` matches any run of
 * characters and `$` anchors the end. Crawl-delay is not in the RFC but widely used; we honour it.
 */

export interface RobotsRule {
  allow: boolean;
  pattern: string;
  regex: RegExp;
}

export interface RobotsGroup {
  agents: string[];
  rules: RobotsRule[];
  crawlDelaySeconds?: number;
}

export interface Robots {
  groups: RobotsGroup[];
  sitemaps: string[];
}

/** RFC 9309 section 2.5: parsers must handle at least 500 KiB; we read that much. */
export const MAX_ROBOTS_BYTES = 500 * 1024;

function compile(pattern: string): RegExp {
  let p = pattern;
  const anchored = p.endsWith('$');
  if (anchored) p = p.slice(0, -1);
  // Percent-encoding is compared as-is after normalising case of %xx escapes.
  const body = p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp('^' + body + (anchored ? '$' : ''));
}

export function parseRobots(text: string): Robots {
  const groups: RobotsGroup[] = [];
  const sitemaps: string[] = [];
  let current: RobotsGroup | null = null;
  let lastWasAgent = false;
  for (const rawLine of text.slice(0, MAX_ROBOTS_BYTES).split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (key === 'sitemap') {
      sitemaps.push(value);
      continue;
    }
    if (!current) continue; // rules before any user-agent line are ignored
    if (key === 'allow' || key === 'disallow') {
      // An empty Disallow allows everything: no rule.
      if (!value) continue;
      const pattern = value.startsWith('/') || value.startsWith('*') ? value : '/' + value;
      current.rules.push({ allow: key === 'allow', pattern, regex: compile(normalizePath(pattern)) });
    } else if (key === 'crawl-delay') {
      const d = Number(value);
      if (Number.isFinite(d) && d >= 0) current.crawlDelaySeconds = d;
    }
  }
  return { groups, sitemaps };
}

/** The product token of a user-agent string: "massivetext/0.1 (+url)" -> "massivetext". */
export function productToken(userAgent: string): string {
  return (userAgent.split(/[/\s]/)[0] ?? userAgent).toLowerCase();
}

/** The group that applies to this crawler (RFC 9309 2.2.1); several matching groups are merged. */
export function groupFor(robots: Robots, userAgent: string): RobotsGroup | null {
  const token = productToken(userAgent);
  const specific = robots.groups.filter((g) => g.agents.some((a) => a !== '*' && (a === token || token.startsWith(a) || a.startsWith(token))));
  const chosen = specific.length ? specific : robots.groups.filter((g) => g.agents.includes('*'));
  if (!chosen.length) return null;
  const delays = chosen.map((g) => g.crawlDelaySeconds).filter((d): d is number => d !== undefined);
  return { agents: chosen.flatMap((g) => g.agents), rules: chosen.flatMap((g) => g.rules), crawlDelaySeconds: delays.length ? Math.max(...delays) : undefined };
}

function normalizePath(p: string): string {
  return p.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

/** Whether `pathAndQuery` (e.g. "/a/b?x=1") may be fetched. */
export function isAllowed(robots: Robots, userAgent: string, pathAndQuery: string): boolean {
  const group = groupFor(robots, userAgent);
  if (!group) return true;
  const path = normalizePath(pathAndQuery || '/');
  if (path === '/robots.txt') return true;
  let best: RobotsRule | null = null;
  for (const r of group.rules) {
    if (!r.regex.test(path)) continue;
    if (!best || r.pattern.length > best.pattern.length || (r.pattern.length === best.pattern.length && r.allow && !best.allow)) best = r;
  }
  return best ? best.allow : true;
}

export const ALLOW_ALL: Robots = { groups: [], sitemaps: [] };
export const DISALLOW_ALL: Robots = parseRobots('User-agent: *\nDisallow: /');
