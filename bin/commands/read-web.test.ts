import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Document, StageStats } from '../../pipeline/index.js';
import { corpus, repoRoot } from '../../tests/helpers/corpora.js';
import { webReadKinds } from './read-web.js';

async function readKind(kind: string, inputs: string[], opts: Record<string, unknown> = {}) {
  const stats = new StageStats(kind);
  const warnings: string[] = [];
  const docs: Document[] = [];
  const source = webReadKinds[kind]!.open(inputs, opts);
  for await (const d of source.read({ stats, reporter: { progress() {}, info() {}, warn: (c, m) => void warnings.push(`${c}: ${m}`) } })) docs.push(d);
  return { docs, counters: stats.counters, warnings };
}

const sample = (rel: string) => path.join(repoRoot, 'sample', rel);

describe('web read kinds over the bundled sample', () => {
  it('warc: the Debian docs pages as extracted text with url, date, title and byte offsets', async () => {
    const { docs, counters, warnings } = await readKind('warc', [sample('web/debian-docs.warc.gz'), sample('web/warcio-example.warc.gz')]);
    expect(warnings).toEqual([]);
    expect(docs).toHaveLength(52);
    expect(counters).toMatchObject({ in: 58, 'dropped:not_response': 6 });
    const about = docs.find((d) => d.meta.url === 'https://www.sqlite.org/about.html')!;
    expect(about.meta).toMatchObject({ title: 'About SQLite', date: '2022-12-28T14:23:41Z' });
    expect(about.meta.format).toBeUndefined();
    expect(about.text).toContain('SQLite is an in-process library that implements a self-contained, serverless, zero-configuration, transactional SQL database engine.');
    expect(about.id).toMatch(/^web:debian-docs\.warc\.gz@\d+$/);
    // ABS Guide pages are ISO-8859-1 without a declaration: decoded as windows-1252, no U+FFFD.
    expect(docs.every((d) => !d.text.includes('\uFFFD'))).toBe(true);
    // Python docs' heading permalinks and navigation are gone.
    const classes = docs.find((d) => d.meta.url?.endsWith('tutorial/classes.html'))!;
    expect(classes.text).not.toContain('¶');
    expect(classes.text).not.toMatch(/Table of Contents|Previous topic|This Page/);
  });

  it('warc --raw keeps the HTML for a later extract stage', async () => {
    const { docs } = await readKind('warc', [sample('web/warcio-example.warc.gz')], { raw: true });
    expect(docs[0]!.meta.format).toBe('html');
    expect(docs[0]!.text).toMatch(/^<!doctype html>/);
  });

  it('feed: articles from the bundled snapshot, feed content for the rest, offline', async () => {
    const { docs, counters } = await readKind('feed', [sample('news/python-whatsnew.rss'), sample('news/feedparser-rss20.xml'), sample('news/pages.warc.gz')], { offline: true });
    expect(docs.map((d) => d.meta.origin)).toEqual(['article', 'article', 'article', 'article', 'article', 'article', 'feed-content']);
    expect(docs[5]!.meta).toMatchObject({ title: 'What’s New In Python 3.11', date: '2022-10-24T00:00:00.000Z', url: 'https://docs.python.org/3.11/whatsnew/3.11.html' });
    expect(docs[5]!.subset).toBe('news');
    expect(docs[5]!.text).toContain('This article explains the new features in Python 3.11, compared to 3.10.');
    expect(docs[6]!.meta.articleError).toBe('not_in_snapshot');
    expect(counters).toMatchObject({ in: 7, 'origin:article': 6, 'origin:feed-content': 1 });
  });
});

describe('warc over HTTP', () => {
  it('streams a WARC from a URL through the crawler (allow-private for the local server)', async () => {
    const warc = readFileSync(corpus('warc/resiliparse-commoncrawl-sample.warc.gz'));
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/warc' });
      res.end(warc);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/CC-MAIN-sample.warc.gz`;
    try {
      const refused = await readKind('warc', [url], { raw: true });
      expect(refused.docs).toEqual([]);
      expect(refused.counters['error:blocked_address']).toBe(1);
      expect(refused.warnings[0]).toMatch(/^blocked_address: refusing to connect to 127\.0\.0\.1/);
      const { docs, counters } = await readKind('warc', [url], { raw: true, allowPrivate: true });
      expect(docs).toHaveLength(16);
      expect(counters.in).toBe(50);
      expect(docs[0]!.id).toBe('web:CC-MAIN-sample.warc.gz@940');
      expect(docs[0]!.meta.source).toBe(`${url}@940`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('massivetext extract (CLI)', () => {
  it('prints the main text of a page read from stdin', () => {
    const html = readFileSync(corpus('html/trafilatura/pythonspeed.com.docker.html'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bin/massivetext.ts'), 'extract', '-'], { input: html, cwd: repoRoot });
    expect(r.status, r.stderr.toString()).toBe(0);
    const out = r.stdout.toString();
    expect(out).toContain('Install dependencies separately and earlier in your Dockerfile to ensure faster builds.');
    expect(out).not.toContain('Next: Elegantly activating a virtualenv');
  });
});
