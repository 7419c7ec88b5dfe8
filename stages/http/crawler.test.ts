import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../../tests/helpers/corpora.js';
import { RecordError } from '../../pipeline/errors.js';
import { StageStats } from '../../pipeline/stats.js';
import type { Document } from '../../pipeline/document.js';
import { Crawler, type CrawlerOptions } from './crawler.js';
import { htmlSource } from './html-source.js';
import { guardedLookup, isBlockedAddress } from './ssrf-guard.js';

// A real page to serve: trafilatura's pythonspeed fixture.
const PAGE = readFileSync(corpus('html/trafilatura/pythonspeed.com.docker.html'));
const WARC = readFileSync(corpus('warc/resiliparse-commoncrawl-sample.warc.gz'));

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const routes = new Map<string, Handler>();
const log: { path: string; start: number; end?: number }[] = [];
let active = 0;
let maxActive = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const entry = { path: req.url!, start: Date.now() } as { path: string; start: number; end?: number };
    log.push(entry);
    active++;
    maxActive = Math.max(maxActive, active);
    res.on('close', () => { active--; entry.end = Date.now(); });
    const h = routes.get(req.url!.split('?')[0]!);
    if (h) return h(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const html = (body: Buffer | string, extra: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...extra }).end(body);
};

const fast: Partial<CrawlerOptions> = { allowPrivate: true, perHostDelayMs: 0, retryBaseDelayMs: 10, retryMaxDelayMs: 50 };

async function failure(p: Promise<unknown>): Promise<RecordError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RecordError);
    return e as RecordError;
  }
  throw new Error('expected a failure');
}

describe('SSRF guard', () => {
  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1']) {
      expect(isBlockedAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isBlockedAddress(ip), ip).toBe(false);
  });

  it('refuses loopback by default: IP literals and names that resolve to loopback', async () => {
    routes.set('/page', html(PAGE));
    const c = new Crawler({ respectRobots: false });
    expect((await failure(c.fetchPage(`${base}/page`))).code).toBe('blocked_address');
    const port = (server.address() as AddressInfo).port;
    // localhost goes through the resolver; the guard sees 127.0.0.1 / ::1 after resolution.
    const e = await failure(c.fetchPage(`http://localhost:${port}/page`));
    expect(e.code).toBe('blocked_address');
    expect(e.hint).toMatch(/allow-private/);
    await c.close();
    const err = await new Promise<Error | null>((r) => guardedLookup(false)('localhost', {}, (er) => r(er)));
    expect(err?.message).toMatch(/refusing to connect to localhost/);
  });

  it('checks every redirect hop: an allowed host redirecting to a blocked one is refused', async () => {
    routes.set('/to-private', (_q, res) => { res.writeHead(302, { location: 'http://127.0.0.2:9/secret' }).end(); });
    const c = new Crawler({ ...fast, allowPrivate: ['127.0.0.1'], respectRobots: false });
    const e = await failure(c.fetchPage(`${base}/to-private`));
    expect(e.code).toBe('blocked_address');
    expect(e.message).toContain('127.0.0.2');
    // The allowed address itself is fine.
    expect((await c.fetchPage(`${base}/page`)).status).toBe(200);
    await c.close();
  });
});

describe('robots.txt', () => {
  it('is fetched once per host, applies our group, and blocks disallowed paths', async () => {
    let robotsHits = 0;
    routes.set('/robots.txt', (_q, res) => {
      robotsHits++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /\n\nUser-agent: massivetext\nDisallow: /private\nAllow: /private/ok$\n');
    });
    routes.set('/public', html(PAGE));
    routes.set('/private/x', html(PAGE));
    routes.set('/private/ok', html(PAGE));
    const c = new Crawler(fast);
    expect((await c.fetchPage(`${base}/public`)).body.equals(PAGE)).toBe(true);
    const e = await failure(c.fetchPage(`${base}/private/x`));
    expect(e.code).toBe('robots_disallowed');
    expect((await c.fetchPage(`${base}/private/ok`)).status).toBe(200);
    expect(robotsHits).toBe(1);
    // Another user agent falls in the "*" group: everything disallowed.
    const other = new Crawler({ ...fast, userAgent: 'otherbot/1.0' });
    expect((await failure(other.fetchPage(`${base}/public`))).code).toBe('robots_disallowed');
    await Promise.all([c.close(), other.close()]);
    routes.delete('/robots.txt');
  });

  it('honours Crawl-delay between requests to the host', async () => {
    routes.set('/robots.txt', (_q, res) => { res.writeHead(200).end('User-agent: *\nCrawl-delay: 0.3\n'); });
    routes.set('/d', html('<p>x</p>'));
    const c = new Crawler(fast);
    const t0 = Date.now();
    await c.fetchPage(`${base}/d?1`);
    await c.fetchPage(`${base}/d?2`);
    await c.fetchPage(`${base}/d?3`);
    // 3 pages, each start >= 300 ms after the previous one (robots.txt came first, before the delay was known).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2 * 300 - 20);
    const pages = log.filter((l) => l.path.startsWith('/d?')).map((l) => l.start);
    for (let i = 1; i < pages.length; i++) expect(pages[i]! - pages[i - 1]!).toBeGreaterThanOrEqual(240); // measured at the server: connection set-up jitter
    await c.close();
    routes.delete('/robots.txt');
  });

  it('treats a 5xx robots.txt as disallow-all (RFC 9309) and a 404 as allow-all', async () => {
    routes.set('/robots.txt', (_q, res) => { res.writeHead(503).end(); });
    const c = new Crawler({ ...fast, retries: 0 });
    expect((await failure(c.fetchPage(`${base}/public`))).code).toBe('robots_disallowed');
    await c.close();
    routes.delete('/robots.txt');
    const d = new Crawler(fast);
    expect((await d.fetchPage(`${base}/public`)).status).toBe(200);
    await d.close();
  });
});

describe('politeness', () => {
  it('keeps per-host concurrency and delay, and the global cap', async () => {
    routes.set('/slow', (_q, res) => { setTimeout(() => html('<p>slow</p>')(_q, res), 60); });
    const c = new Crawler({ ...fast, respectRobots: false, perHostConcurrency: 1, perHostDelayMs: 80 });
    log.length = 0;
    maxActive = 0;
    await Promise.all([1, 2, 3, 4].map((i) => c.fetchPage(`${base}/slow?${i}`)));
    expect(maxActive).toBe(1);
    const starts = log.map((l) => l.start).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(55); // 80 ms minus server-side jitter
    await c.close();

    // Two hosts (127.0.0.1 and [::ffff:127.0.0.1] are different host keys), global cap 1.
    const port = (server.address() as AddressInfo).port;
    const g = new Crawler({ ...fast, respectRobots: false, perHostConcurrency: 4, concurrency: 1 });
    maxActive = 0;
    await Promise.all([`${base}/slow?a`, `${base}/slow?b`, `http://[::ffff:127.0.0.1]:${port}/slow?c`].map((u) => g.fetchPage(u)));
    expect(maxActive).toBe(1);
    await g.close();
  });
});

describe('retries, redirects, timeouts, caps, content types', () => {
  it('retries 503 and 429 with backoff, honouring Retry-After, then succeeds', async () => {
    let n = 0;
    routes.set('/flaky', (req, res) => {
      n++;
      if (n === 1) return res.writeHead(503).end();
      if (n === 2) return res.writeHead(429, { 'retry-after': '0' }).end();
      html(PAGE)(req, res);
    });
    const c = new Crawler({ ...fast, respectRobots: false });
    expect((await c.fetchPage(`${base}/flaky`)).status).toBe(200);
    expect(n).toBe(3);
    let m = 0;
    routes.set('/down', (_q, res) => { m++; res.writeHead(500).end(); });
    const e = await failure(c.fetchPage(`${base}/down`));
    expect(e.code).toBe('http_status');
    expect(m).toBe(1 + c.options.retries);
    await c.close();
  });

  it('retries a dropped connection', async () => {
    let n = 0;
    routes.set('/drop', (req, res) => {
      if (++n === 1) return req.socket.destroy();
      html(PAGE)(req, res);
    });
    const c = new Crawler({ ...fast, respectRobots: false });
    expect((await c.fetchPage(`${base}/drop`)).body.length).toBe(PAGE.length);
    await c.close();
  });

  it('follows redirects up to the limit and reports the final URL', async () => {
    for (let i = 1; i <= 6; i++) routes.set(`/r/${i}`, (_q, res) => { res.writeHead(301, { location: i === 6 ? '/public' : `/r/${i + 1}` }).end(); });
    const c = new Crawler({ ...fast, respectRobots: false, maxRedirects: 3 });
    const ok = await c.fetchPage(`${base}/r/4`);
    expect(ok.url).toBe(`${base}/public`);
    expect(ok.redirects).toEqual([`${base}/r/4`, `${base}/r/5`, `${base}/r/6`]);
    expect((await failure(c.fetchPage(`${base}/r/1`))).code).toBe('too_many_redirects');
    await c.close();
  });

  it('times out on headers and on a stalled body', async () => {
    routes.set('/hang', () => { /* never answers */ });
    routes.set('/stall', (_q, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.write('<p>start'); });
    const c = new Crawler({ ...fast, respectRobots: false, retries: 0, headersTimeoutMs: 200, bodyTimeoutMs: 200 });
    expect((await failure(c.fetchPage(`${base}/hang`))).code).toBe('timeout');
    expect((await failure(c.fetchPage(`${base}/stall`))).code).toBe('timeout');
    await c.close();
  });

  it('caps body size (declared, streamed and decompressed) and decodes gzip', async () => {
    const big = Buffer.alloc(300_000, 'a');
    routes.set('/big', html(big));
    routes.set('/big-chunked', (_q, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.write(big); res.end(big); });
    routes.set('/gz', html(gzipSync(PAGE), { 'content-encoding': 'gzip' }));
    routes.set('/bomb', html(gzipSync(Buffer.alloc(5_000_000)), { 'content-encoding': 'gzip' }));
    const c = new Crawler({ ...fast, respectRobots: false, maxBodyBytes: 200_000 });
    expect((await failure(c.fetchPage(`${base}/big`))).code).toBe('too_large');
    expect((await failure(c.fetchPage(`${base}/big-chunked`))).code).toBe('too_large');
    expect((await failure(c.fetchPage(`${base}/bomb`))).code).toBe('too_large');
    expect((await c.fetchPage(`${base}/gz`)).body.equals(PAGE)).toBe(true);
    await c.close();
  });

  it('accepts HTML content types only', async () => {
    routes.set('/img', (_q, res) => { res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(10)); });
    const c = new Crawler({ ...fast, respectRobots: false });
    expect((await failure(c.fetchPage(`${base}/img`))).code).toBe('not_html');
    expect((await failure(c.fetchPage(`${base}/missing`))).code).toBe('http_status');
    expect((await failure(c.fetchPage('ftp://example.com/x'))).code).toBe('unsupported_scheme');
    await c.close();
  });

  it('streams a large body (a real WARC) chunk by chunk', async () => {
    routes.set('/cc.warc.gz', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/warc' });
      let i = 0;
      const push = () => {
        if (i >= WARC.length) return res.end();
        res.write(WARC.subarray(i, i + 16384));
        i += 16384;
        setImmediate(push);
      };
      push();
    });
    const c = new Crawler({ ...fast, respectRobots: false });
    const h = createHash('sha256');
    let chunks = 0;
    for await (const chunk of c.openStream(`${base}/cc.warc.gz`)) {
      h.update(chunk);
      chunks++;
    }
    expect(h.digest('hex')).toBe(createHash('sha256').update(WARC).digest('hex'));
    expect(chunks).toBeGreaterThan(1);
    await c.close();
  });
});

describe('deadlines and the low-speed limit (slow loris)', () => {
  // A real page, then a real WARC, trickled 32 bytes every 100 ms (~320 B/s), never finishing.
  const trickle = (type: string, bytes: Buffer): Handler => (_q, res) => {
    res.writeHead(200, { 'content-type': type });
    let at = 0;
    const t = setInterval(() => res.write(at < bytes.length ? bytes.subarray(at, (at += 32)) : ' '), 100);
    res.on('close', () => clearInterval(t));
  };
  const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a stream slower than minBytesPerSecond over the window fails as too_slow, naming the URL', async () => {
    routes.set('/slow.warc.gz', trickle('application/warc', WARC));
    const c = new Crawler({ ...fast, respectRobots: false, minBytesPerSecond: 1024, lowSpeedWindowMs: 600 });
    const t0 = performance.now();
    let bytes = 0;
    const e = await failure((async () => { for await (const chunk of c.openStream(`${base}/slow.warc.gz`)) bytes += chunk.length; })());
    expect(e.code).toBe('too_slow');
    expect(e.position.file).toBe(`${base}/slow.warc.gz`);
    expect(e.message).toMatch(/under the 1024 bytes\/s minimum/);
    expect(bytes).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(3000);
    await c.close();
  });

  it('time the consumer holds a chunk does not count against the low-speed limit', async () => {
    routes.set('/fast.warc.gz', (_q, res) => { res.writeHead(200, { 'content-type': 'application/warc' }).end(WARC); });
    // 100 MB/s asked for, measured over 50 ms of waiting: a fast local body passes however slow its reader
    const c = new Crawler({ ...fast, respectRobots: false, minBytesPerSecond: 100_000_000, lowSpeedWindowMs: 50 });
    const h = createHash('sha256');
    for await (const chunk of c.openStream(`${base}/fast.warc.gz`)) {
      h.update(chunk);
      await sleepMs(30);
    }
    expect(h.digest('hex')).toBe(createHash('sha256').update(WARC).digest('hex'));
    await c.close();
  });

  it('a stream whose response never begins fails at requestTimeoutMs, retries included', async () => {
    routes.set('/never', () => { /* never answers */ });
    const c = new Crawler({ ...fast, respectRobots: false, headersTimeoutMs: 300, requestTimeoutMs: 700 });
    const t0 = performance.now();
    const e = await failure((async () => { for await (const _ of c.openStream(`${base}/never`)) void _; })());
    expect(e.code).toBe('timeout');
    expect(e.message).toBe('no response within 700 ms');
    expect(performance.now() - t0).toBeLessThan(2000);
    await c.close();
  });

  it('a page deadline runs only while the request holds its slots: a page queued behind a slow one still arrives', async () => {
    routes.set('/slow.html', trickle('text/html', PAGE));
    routes.set('/quick.html', html(PAGE));
    const c = new Crawler({ ...fast, respectRobots: false, perHostConcurrency: 1, requestTimeoutMs: 800 });
    const t0 = performance.now();
    const [slow, quick] = await Promise.allSettled([c.fetchPage(`${base}/slow.html`), c.fetchPage(`${base}/quick.html`)]);
    expect(slow.status === 'rejected' && (slow.reason as RecordError).code).toBe('timeout');
    expect(quick.status === 'fulfilled' && quick.value.body.equals(PAGE)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThan(800);
    await c.close();
  });
});

describe('htmlSource (read html)', () => {
  it('yields pages in input order, counts failures by code, keeps going', async () => {
    routes.set('/robots.txt', (_q, res) => { res.writeHead(200).end('User-agent: *\nDisallow: /private\n'); });
    routes.set('/a', html('<html><body><p>Alpha page</p></body></html>'));
    routes.set('/b', html('<html><body><p>Beta page</p></body></html>'));
    const stats = new StageStats('read-html');
    const warnings: string[] = [];
    const ctx = { stats, reporter: { progress() {}, info() {}, warn: (code: string) => { warnings.push(code); } } };
    const docs: Document[] = [];
    const src = htmlSource([`${base}/a`, `${base}/private/x`, `${base}/missing`, `${base}/b`], { crawler: fast });
    for await (const d of src.read(ctx)) docs.push(d);
    expect(docs.map((d) => d.meta.url)).toEqual([`${base}/a`, `${base}/b`]);
    expect(docs[0]).toMatchObject({ subset: 'web', id: `web:${base}/a`, meta: { format: 'html', status: 200 } });
    expect(docs[0]!.text).toContain('Alpha page');
    expect(stats.counters).toMatchObject({ in: 4, 'error:robots_disallowed': 1, 'error:http_status': 1 });
    expect(warnings).toEqual(['robots_disallowed', 'http_status']);
    routes.delete('/robots.txt');
  });
});
