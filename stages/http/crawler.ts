/**
 * A polite HTTP client for crawling, composed once on one shared undici dispatcher:
 *  - robots.txt fetched once per origin and cached (RFC 9309: 4xx means allow all, 5xx or network
 *    failure means disallow all), Allow/Disallow for our user-agent group, Crawl-delay honoured;
 *  - per-host concurrency and a minimum delay between requests to a host, plus a global concurrency cap;
 *  - retries with exponential backoff and jitter on network errors, 429 and 5xx (Retry-After honoured);
 *  - redirects followed by hand up to a limit, each hop checked against robots.txt and the SSRF guard;
 *  - connect, headers and body timeouts; a body size cap (also on the decompressed size); gzip/deflate/br;
 *  - a whole-fetch deadline for a page; for a stream, a deadline for its response to begin and a
 *    low-speed limit on its body (a stream may rightly take hours, a trickle may not);
 *  - `fetchPage` accepts HTML content types only; `openStream` streams any body (WARC downloads).
 * Failures are RecordErrors with a stable code (robots_disallowed, blocked_address, too_many_redirects,
 * timeout, too_slow, too_large, http_status, not_html, network, unsupported_scheme) and the URL as position.
 */
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, request } from 'undici';
import { RecordError } from '../../pipeline/errors.js';
import { Semaphore } from '../../pipeline/semaphore.js';
import { sleep } from '../../pipeline/sleep.js';
import { type AllowPrivate, assertHostAllowed, BlockedAddressError, guardedLookup } from './ssrf-guard.js';
import { ALLOW_ALL, DISALLOW_ALL, groupFor, isAllowed, MAX_ROBOTS_BYTES, parseRobots, type Robots } from './robots.js';
import { HostLimiter } from './host-limiter.js';

export interface CrawlerOptions {
  /** Sent as User-Agent; its product token ("massivetext") selects the robots.txt group. */
  userAgent: string;
  /** Allow loopback/private/link-local addresses: true for all (tests against a local server), or a list
   *  of addresses. Default: refused, checked after DNS resolution and on every redirect hop. */
  allowPrivate: AllowPrivate;
  respectRobots: boolean;
  /** Requests in flight over all hosts. */
  concurrency: number;
  /** Requests in flight to one host (Heritrix and Nutch default to 1; 2 keeps small sites fast). */
  perHostConcurrency: number;
  /** Minimum gap between request starts to one host; a larger robots.txt Crawl-delay wins (Nutch: 5 s, Scrapy: 0, we: 1 s). */
  perHostDelayMs: number;
  /** Crawl-delay values above this are capped (some sites ask for hours). */
  maxCrawlDelayMs: number;
  /** Attempts after the first on network errors, 429 and 5xx. */
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Redirect hops followed (browsers allow 20; crawlers usually 5). */
  maxRedirects: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Longest silence while reading a body. */
  bodyTimeoutMs: number;
  /** Whole-fetch deadline for a page (robots.txt, retries, redirects and body included), so a server that
   *  trickles a byte now and then (slow loris) cannot hold a request forever. Scrapy's DOWNLOAD_TIMEOUT is
   *  180 s. The clock runs only while the fetch holds its connection slots: time queued behind other
   *  requests to the host (politeness) or sleeping before a retry does not count.
   *  For `openStream` (a WARC of a GB may rightly take an hour) it bounds the time until the body begins. */
  requestTimeoutMs: number;
  /** `openStream` only: a body that arrives slower than this, averaged over `lowSpeedWindowMs` of waiting
   *  for the network (time the consumer spends elsewhere does not count), is abandoned as `too_slow`.
   *  0 turns it off. curl's --speed-limit/--speed-time idea; 1 KiB/s would take 12 days for a 1 GB WARC. */
  minBytesPerSecond: number;
  lowSpeedWindowMs: number;
  /** Largest (decompressed) page body; bigger pages are refused (Common Crawl truncates at 1 MiB). */
  maxBodyBytes: number;
  /** How long a robots.txt stays cached (RFC 9309: should not be used for more than 24 hours). */
  robotsTtlMs: number;
}

export const defaultCrawlerOptions: CrawlerOptions = {
  userAgent: 'massivetext/0.1 (+https://github.com/massivetext/massivetext)',
  allowPrivate: false,
  respectRobots: true,
  concurrency: 16,
  perHostConcurrency: 2,
  perHostDelayMs: 1000,
  maxCrawlDelayMs: 30_000,
  retries: 3,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
  maxRedirects: 5,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  requestTimeoutMs: 180_000,
  minBytesPerSecond: 1024,
  lowSpeedWindowMs: 30_000,
  maxBodyBytes: 10 << 20,
  robotsTtlMs: 24 * 3600_000,
};

export interface FetchedPage {
  /** The URL asked for. */
  requestedUrl: string;
  /** The final URL after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  contentType: string;
  /** Decompressed body. */
  body: Buffer;
  fetchedAt: string;
  redirects: string[];
}

export const HTML_TYPE = /^\s*(text\/html|application\/xhtml\+xml)\b/i;
/** Content types feeds are served with in practice (RSS/Atom/RDF types, generic XML, and text). */
export const FEED_TYPES = /^\s*(application\/(rss|atom|rdf)\+xml|application\/xml|text\/xml|text\/plain|text\/html|application\/octet-stream)\b/i;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

function headerMap(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void; dump?: (o?: { limit: number }) => Promise<void> };
  /** Frees the host and global slots; called once the body is consumed or discarded. */
  release: () => void;
}

class Retryable extends Error {
  constructor(readonly inner: unknown, readonly retryAfterMs?: number) {
    super('retryable');
  }
}

export class Crawler {
  readonly options: CrawlerOptions;
  /** The one dispatcher every request goes through. */
  readonly dispatcher: Agent;
  private readonly hosts: HostLimiter;
  private readonly global: Semaphore;
  private readonly robots = new Map<string, { at: number; robots: Promise<Robots> }>();

  constructor(options: Partial<CrawlerOptions> = {}) {
    this.options = { ...defaultCrawlerOptions, ...options };
    const o = this.options;
    this.dispatcher = new Agent({
      connect: { timeout: o.connectTimeoutMs, lookup: guardedLookup(o.allowPrivate) } as Record<string, unknown>,
      headersTimeout: o.headersTimeoutMs,
      bodyTimeout: o.bodyTimeoutMs,
      connections: Math.max(1, o.perHostConcurrency),
    });
    this.hosts = new HostLimiter(o.perHostConcurrency);
    this.global = new Semaphore(o.concurrency);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /**
   * Fetches a page (robots, politeness, retries, redirects, caps). Throws RecordError.
   * `types` are the content types accepted: HTML by default; a feed reader passes FEED_TYPES.
   */
  async fetchPage(url: string, outerSignal?: AbortSignal, types: RegExp = HTML_TYPE): Promise<FetchedPage> {
    const o = this.options;
    const clock = new Budget(o.requestTimeoutMs);
    const signal = outerSignal ? AbortSignal.any([outerSignal, clock.signal]) : clock.signal;
    try {
      return await this.fetchPageUntil(url, signal, types, clock);
    } catch (e) {
      if (clock.expired && !outerSignal?.aborted) {
        throw new RecordError('timeout', `no complete response within ${o.requestTimeoutMs} ms`, { file: url }, 'the server is too slow (or trickles its response); the page was skipped (raise --timeout to wait longer)');
      }
      throw e;
    } finally {
      clock.stop();
    }
  }

  private async fetchPageUntil(url: string, signal: AbortSignal, types: RegExp, clock: Budget): Promise<FetchedPage> {
    const o = this.options;
    const redirects: string[] = [];
    let current = this.parseUrl(url);
    for (let hop = 0; ; hop++) {
      const res = await this.requestPolitely(current, signal, { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', robots: o.respectRobots }, clock);
      if (REDIRECT.has(res.status) && res.headers.location) {
        await discard(res);
        if (hop >= o.maxRedirects) throw new RecordError('too_many_redirects', `more than ${o.maxRedirects} redirects`, { file: url }, 'raise maxRedirects, or fetch the final URL directly');
        let next: URL;
        try {
          next = new URL(res.headers.location, current);
        } catch {
          throw new RecordError('bad_redirect', `invalid redirect location ${JSON.stringify(res.headers.location)}`, { file: current.href });
        }
        redirects.push(current.href);
        current = this.parseUrl(next.href);
        continue;
      }
      if (res.status < 200 || res.status > 299) {
        await discard(res);
        throw new RecordError('http_status', `HTTP ${res.status}`, { file: current.href });
      }
      const contentType = res.headers['content-type'] ?? '';
      if (contentType && !types.test(contentType)) {
        await discard(res);
        throw types === HTML_TYPE
          ? new RecordError('not_html', `content type ${contentType} is not HTML`, { file: current.href })
          : new RecordError('unwanted_content_type', `content type ${contentType} is not one of ${types.source}`, { file: current.href });
      }
      const body = await this.readBody(res, current.href);
      return { requestedUrl: url, url: current.href, status: res.status, headers: res.headers, contentType: contentType || 'text/html', body, fetchedAt: new Date().toISOString(), redirects };
    }
  }

  /**
   * Streams a body of any type and size (a WARC file), following redirects; retries only before the
   * first byte. robots.txt is not consulted unless `robots` is set (data downloads are not crawling).
   * The response must begin within `requestTimeoutMs` (retries and redirects included); the body must
   * keep up `minBytesPerSecond` (see CrawlerOptions) and never stall for `bodyTimeoutMs`.
   */
  async *openStream(url: string, signal?: AbortSignal, robots = false): AsyncGenerator<Uint8Array> {
    const o = this.options;
    // The start deadline aborts the whole download through this signal (the budget stops once the body begins).
    const clock = new Budget(o.requestTimeoutMs);
    const both = signal ? AbortSignal.any([signal, clock.signal]) : clock.signal;
    let current = this.parseUrl(url);
    let res: RawResponse;
    try {
      for (let hop = 0; ; hop++) {
        res = await this.requestPolitely(current, both, { accept: '*/*', robots, identity: true }, clock);
        if (REDIRECT.has(res.status) && res.headers.location) {
          await discard(res);
          if (hop >= o.maxRedirects) throw new RecordError('too_many_redirects', `more than ${o.maxRedirects} redirects`, { file: url });
          current = this.parseUrl(new URL(res.headers.location, current).href);
          continue;
        }
        if (res.status < 200 || res.status > 299) {
          await discard(res);
          throw new RecordError('http_status', `HTTP ${res.status}`, { file: current.href });
        }
        break;
      }
    } catch (e) {
      if (clock.expired && !signal?.aborted) {
        throw new RecordError('timeout', `no response within ${o.requestTimeoutMs} ms`, { file: current.href }, 'the server is too slow to answer; the input was skipped (raise --timeout to wait longer)');
      }
      throw e;
    } finally {
      clock.stop();
    }
    const windowMs = o.lowSpeedWindowMs;
    const minRate = o.minBytesPerSecond;
    let waited = 0;
    let got = 0;
    let total = 0;
    try {
      let asked = performance.now();
      for await (const chunk of res.body) {
        // Only the time spent waiting for this chunk counts, not the time the consumer held the last one.
        waited += performance.now() - asked;
        got += chunk.byteLength;
        total += chunk.byteLength;
        if (minRate > 0 && waited >= windowMs) {
          if (got < (minRate * waited) / 1000) {
            throw new RecordError('too_slow', `body arrived at ${Math.round((got * 1000) / waited)} bytes/s over ${Math.round(waited)} ms, under the ${minRate} bytes/s minimum (${total} bytes read)`,
              { file: current.href, offset: total }, 'the server trickles its response (slow loris); the input was skipped (lower --min-speed to accept it)');
          }
          waited = 0;
          got = 0;
        }
        yield chunk;
        asked = performance.now();
      }
    } catch (e) {
      throw this.classify(e, current.href);
    } finally {
      res.body.destroy();
      res.release();
    }
  }

  /** The robots.txt rules for a URL's origin (cached; concurrent callers share one fetch). */
  async robotsFor(url: URL, signal?: AbortSignal, clock?: Budget): Promise<Robots> {
    const origin = url.origin;
    const hit = this.robots.get(origin);
    if (hit && Date.now() - hit.at < this.options.robotsTtlMs) return hit.robots;
    const p = this.fetchRobots(new URL('/robots.txt', origin), signal, clock);
    this.robots.set(origin, { at: Date.now(), robots: p });
    return p;
  }

  private async fetchRobots(robotsUrl: URL, signal?: AbortSignal, clock?: Budget): Promise<Robots> {
    let current = robotsUrl;
    try {
      for (let hop = 0; hop <= 5; hop++) { // RFC 9309 2.3.1.2: follow at least five redirects
        const res = await this.requestPolitely(current, signal, { accept: 'text/plain,*/*', robots: false }, clock);
        if (REDIRECT.has(res.status) && res.headers.location) {
          await discard(res);
          current = this.parseUrl(new URL(res.headers.location, current).href);
          continue;
        }
        if (res.status >= 200 && res.status < 300) {
          const body = await this.readBody(res, current.href, MAX_ROBOTS_BYTES, true);
          return parseRobots(body.toString('utf8'));
        }
        await discard(res);
        // "Unavailable" (4xx): no restrictions. "Unreachable" (5xx, 429): assume complete disallow.
        return res.status >= 400 && res.status < 500 && res.status !== 429 ? ALLOW_ALL : DISALLOW_ALL;
      }
      return ALLOW_ALL; // too many redirects: RFC says treat as unavailable
    } catch (e) {
      if (e instanceof RecordError && e.code === 'blocked_address') throw e;
      return DISALLOW_ALL;
    }
  }

  private parseUrl(url: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new RecordError('bad_url', `not a valid URL: ${JSON.stringify(url)}`, { file: url });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new RecordError('unsupported_scheme', `only http and https URLs can be fetched, not ${u.protocol}`, { file: url });
    }
    u.hash = '';
    return u;
  }

  /**
   * One logical request: SSRF check, robots, host politeness, global cap, retries. `clock` (the caller's
   * deadline) runs only while this request holds its slots: waiting in the politeness queue does not count.
   */
  private async requestPolitely(url: URL, signal: AbortSignal | undefined, how: { accept: string; robots: boolean; identity?: boolean }, clock?: Budget): Promise<RawResponse> {
    const o = this.options;
    try {
      assertHostAllowed(url, o.allowPrivate);
    } catch (e) {
      throw this.classify(e, url.href);
    }
    let delayMs = o.perHostDelayMs;
    if (how.robots) {
      const robots = await this.robotsFor(url, signal, clock);
      if (!isAllowed(robots, o.userAgent, url.pathname + url.search)) {
        throw new RecordError('robots_disallowed', `robots.txt of ${url.host} disallows ${url.pathname}`, { file: url.href }, 'the page is skipped; pass respectRobots: false only for sites you own');
      }
      const d = groupFor(robots, o.userAgent)?.crawlDelaySeconds;
      if (d !== undefined) delayMs = Math.max(delayMs, Math.min(d * 1000, o.maxCrawlDelayMs));
    }
    let attempt = 0;
    for (;;) {
      const releaseHost = await this.hosts.acquire(url.host, delayMs, signal);
      let releaseGlobal: () => void;
      try {
        releaseGlobal = await this.global.acquire(signal);
      } catch (e) {
        releaseHost();
        throw e;
      }
      let released = false;
      clock?.resume();
      const release = () => {
        if (released) return;
        released = true;
        clock?.pause();
        releaseGlobal();
        releaseHost();
      };
      try {
        const res = await request(url, {
          dispatcher: this.dispatcher,
          method: 'GET',
          signal,
          headers: {
            'user-agent': o.userAgent,
            accept: how.accept,
            'accept-encoding': how.identity ? 'identity' : 'gzip, deflate, br',
          },
        });
        const headers = headerMap(res.headers as Record<string, string | string[] | undefined>);
        if ((res.statusCode === 429 || res.statusCode >= 500) && attempt < o.retries) {
          await discard({ status: res.statusCode, headers, body: res.body, release });
          throw new Retryable(new RecordError('http_status', `HTTP ${res.statusCode}`, { file: url.href }), retryAfterMs(headers['retry-after']));
        }
        return { status: res.statusCode, headers, body: res.body, release };
      } catch (e) {
        release();
        const retry = e instanceof Retryable ? e : isRetryableNetworkError(e) && attempt < o.retries ? new Retryable(e) : null;
        if (!retry || signal?.aborted) throw this.classify(e instanceof Retryable ? e.inner : e, url.href);
        attempt++;
        const backoff = Math.min(o.retryMaxDelayMs, o.retryBaseDelayMs * 2 ** (attempt - 1));
        const wait = retry.retryAfterMs !== undefined ? Math.min(o.retryMaxDelayMs, retry.retryAfterMs) : backoff * (0.5 + Math.random() / 2);
        await sleep(wait, signal);
      }
    }
  }

  /** Reads a body under the cap, decompressing gzip/deflate/br; `truncate` keeps the first bytes instead of failing. */
  private async readBody(res: RawResponse, url: string, cap = this.options.maxBodyBytes, truncate = false): Promise<Buffer> {
    const declared = Number(res.headers['content-length']);
    const coding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!truncate && !coding && Number.isFinite(declared) && declared > cap) {
      res.body.destroy();
      res.release();
      throw new RecordError('too_large', `body of ${declared} bytes is over the ${cap}-byte cap`, { file: url });
    }
    const decoder = coding === 'gzip' || coding === 'x-gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : coding === 'br' ? createBrotliDecompress() : null;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const take = (c: Buffer) => {
      if (over) return;
      if (size + c.length > cap) {
        if (truncate) chunks.push(c.subarray(0, cap - size));
        size = cap;
        over = true;
        return;
      }
      chunks.push(c);
      size += c.length;
    };
    try {
      if (decoder) {
        const done = new Promise<void>((resolve, reject) => {
          decoder.on('data', take);
          decoder.on('end', resolve);
          decoder.on('error', reject);
        });
        for await (const chunk of res.body) {
          if (over) break;
          if (!decoder.write(chunk)) await new Promise((r) => decoder.once('drain', r));
        }
        if (!over) {
          decoder.end();
          await done;
        } else decoder.destroy();
      } else {
        for await (const chunk of res.body) {
          take(Buffer.from(chunk));
          if (over) break;
        }
      }
    } catch (e) {
      throw this.classify(e, url, coding ? 'bad_content_encoding' : undefined);
    } finally {
      res.body.destroy();
      res.release();
    }
    if (over && !truncate) throw new RecordError('too_large', `body is over the ${cap}-byte cap`, { file: url });
    return Buffer.concat(chunks);
  }

  /** Maps undici/zlib/guard errors to RecordErrors with stable codes. */
  private classify(e: unknown, url: string, fallback?: string): RecordError {
    if (e instanceof RecordError) return e;
    const err = e as Error & { code?: string; cause?: unknown };
    const cause = (err?.cause ?? null) as (Error & { code?: string }) | null;
    if (e instanceof BlockedAddressError || cause instanceof BlockedAddressError || err?.code === 'blocked_address' || cause?.code === 'blocked_address') {
      const b = (e instanceof BlockedAddressError ? e : cause) as BlockedAddressError;
      return new RecordError('blocked_address', b.message, { file: url }, 'pass --allow-private (allowPrivate: true) to crawl private addresses you control');
    }
    const code = err?.code ?? cause?.code ?? '';
    const o = this.options;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new RecordError('timeout', `could not connect within ${o.connectTimeoutMs} ms (${code})`, { file: url });
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return new RecordError('timeout', `no response headers within ${o.headersTimeoutMs} ms (${code})`, { file: url });
    if (code === 'UND_ERR_BODY_TIMEOUT') return new RecordError('timeout', `no body data for ${o.bodyTimeoutMs} ms (${code})`, { file: url });
    if (/TIMEOUT/i.test(code) || err?.name === 'TimeoutError') return new RecordError('timeout', `${err.message} (${code})`, { file: url });
    if (err?.name === 'AbortError') return new RecordError('aborted', 'request aborted', { file: url });
    if (fallback) return new RecordError(fallback, err?.message ?? String(e), { file: url });
    return new RecordError('network', `${err?.message ?? String(e)}${code ? ` (${code})` : ''}`, { file: url });
  }
}

/**
 * A time budget that runs only while resumed (a request holding its slots) and aborts `signal` when spent.
 * stop() ends it for good (the fetch is over, or a stream's body has begun).
 */
class Budget {
  private readonly ctl = new AbortController();
  private used = 0;
  private since: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(readonly ms: number) {}

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  get expired(): boolean {
    return this.ctl.signal.aborted;
  }

  resume(): void {
    if (this.stopped || this.since !== null || this.expired) return;
    this.since = performance.now();
    this.timer = setTimeout(() => this.ctl.abort(), Math.max(0, this.ms - this.used));
  }

  pause(): void {
    if (this.since === null) return;
    this.used += performance.now() - this.since;
    this.since = null;
    clearTimeout(this.timer);
  }

  stop(): void {
    this.pause();
    this.stopped = true;
  }
}

async function discard(res: RawResponse): Promise<void> {
  try {
    if (res.body.dump) await res.body.dump({ limit: 64 * 1024 });
    else res.body.destroy();
  } catch {
    /* a body we do not want: errors while draining it do not matter */
  } finally {
    res.release();
  }
}

function retryAfterMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

function isRetryableNetworkError(e: unknown): boolean {
  if (e instanceof BlockedAddressError) return false;
  const err = e as Error & { code?: string; cause?: Error & { code?: string } };
  if (err?.cause instanceof BlockedAddressError || err?.code === 'blocked_address') return false;
  if (err?.name === 'AbortError') return false;
  const code = err?.code ?? err?.cause?.code ?? '';
  return /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_CLOSED)$/.test(code);
}
