import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../tests/helpers/corpora.js';
import { StageStats } from '../../pipeline/stats.js';
import type { Document } from '../../pipeline/document.js';
import type { ErrorPosition } from '../../pipeline/errors.js';
import { warcSource } from './warc-source.js';
import { readArchiveRecords } from './archive-records.js';

interface Warning { code: string; message: string; position?: ErrorPosition }

async function read(inputs: string[], options = {}) {
  const stats = new StageStats('read-warc');
  const warnings: Warning[] = [];
  const ctx = { stats, reporter: { progress() {}, info() {}, warn: (code: string, message: string, position?: ErrorPosition) => { warnings.push({ code, message, position }); } } };
  const docs: Document[] = [];
  for await (const d of warcSource(inputs, options).read(ctx)) docs.push(d);
  return { docs, stats: stats.counters, warnings };
}

async function* chunksOf(buf: Buffer, size = 4096) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('warcSource on real archives', () => {
  it('reads the warcio example the same from .warc and .warc.gz, with per-member offsets', async () => {
    const plain = await read([corpus('warc/warcio-example.warc')]);
    const gz = await read([corpus('warc/warcio-example.warc.gz')]);
    expect(plain.docs).toHaveLength(1);
    expect(gz.docs).toHaveLength(1);
    expect(gz.docs[0]!.text).toBe(plain.docs[0]!.text);
    expect(plain.docs[0]!.text).toContain('<title>Example Domain</title>');
    expect(gz.docs[0]!.meta).toMatchObject({ url: 'http://example.com/', date: '2017-03-06T04:02:06Z', format: 'html', status: 200 });
    // 784 is the byte offset of the response record's gzip member (warcio's CDX for this file says so).
    expect(gz.docs[0]!.id).toBe('web:warcio-example.warc.gz@784');
    expect(gz.docs[0]!.meta.source).toMatch(/warcio-example\.warc\.gz@784$/);
    expect(plain.docs[0]!.meta.source).toMatch(/@1197$/);
    // warcinfo, request, revisit (+ its request) are not documents: in = kept + dropped.
    expect(gz.stats).toMatchObject({ in: 6, 'dropped:not_response': 5 });
  });

  it('undoes HTTP chunked transfer coding (iana.org)', async () => {
    const { docs } = await read([corpus('warc/warcio-example-iana.org-chunked.warc')]);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.text).toMatch(/^<!doctype html>/);
    expect(docs[0]!.text.trimEnd()).toMatch(/<\/html>$/);
    expect(docs[0]!.text).not.toMatch(/\r\n[0-9a-f]{2,4}\r\n/); // no chunk-size lines left
  });

  it('reads resource records and legacy ARC (gzip and plain)', async () => {
    const res = await read([corpus('warc/warcio-example-resource.warc.gz')]);
    expect(res.docs.map((d) => d.meta.url)).toEqual(['http://example.com/']);
    const arc = await read([corpus('warc/warcio-example.arc.gz')]);
    expect(arc.docs).toHaveLength(1);
    expect(arc.docs[0]!.meta).toMatchObject({ url: 'http://example.com/', date: '2014-02-16T05:02:21Z' });
    const plainArc = await read([corpus('warc/webarchive-commons-IAH-blackbook-truncated.arc')]);
    expect(plainArc.docs.map((d) => d.meta.url)).toEqual(['http://www.archive.org/', 'http://www.archive.org/index.php']);
    // robots.txt, dns:, images and the RSS feed are counted, not emitted.
    expect(plainArc.stats['dropped:non_html']).toBe(6);
    expect(plainArc.stats.in).toBe(9);
  });

  it('decodes legacy charsets from the HTTP header and <meta> (Common Crawl sample)', async () => {
    const { docs, stats } = await read([corpus('warc/resiliparse-commoncrawl-sample.warc.gz')]);
    expect(docs).toHaveLength(16);
    expect(stats['dropped:not_response']).toBe(34);
    const ru = docs.find((d) => d.meta.url === 'http://01spb.ru/company/')!;
    expect(ru.meta.charset).toBe('windows-1251');
    expect(ru.text).toMatch(/[а-яА-Я]{4,}/);
    const zh = docs.filter((d) => d.meta.charset === 'gbk');
    expect(zh.length).toBeGreaterThanOrEqual(5);
    for (const d of docs) expect(d.text.includes('\uFFFD'), d.meta.url).toBe(false);
    expect(zh[0]!.text).toMatch(/[\u4e00-\u9fff]{4,}/);
  });

  it('drops non-2xx responses and non-HTML payloads and counts them', async () => {
    const { docs, stats } = await read([corpus('warc/webarchive-commons-IAH-urls-wget.warc.gz')]);
    expect(docs.map((d) => d.meta.url)).toEqual(['https://archive.org/', 'https://archive.org/']);
    expect(stats).toMatchObject({ in: 36, 'dropped:http_status': 9, 'dropped:non_html': 8, 'dropped:not_response': 17 });
  });

  it('reads a file that is one gzip member for all records, and says so', async () => {
    const { docs, stats, warnings } = await read([corpus('warc/warcio-example-bad-non-chunked.warc.gz')]);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.text).toContain('Example Domain');
    expect(stats['warn:non_chunked_gzip']).toBe(1);
    expect(warnings[0]).toMatchObject({ code: 'non_chunked_gzip', position: { offset: 0 } });
  });

  it('honours limit across inputs', async () => {
    const { docs } = await read([corpus('warc/resiliparse-commoncrawl-sample.warc.gz'), corpus('warc/warcio-example.warc')], { limit: 3 });
    expect(docs).toHaveLength(3);
  });
});

describe('damaged archives: errors with byte offsets, the rest still read', () => {
  const gz = readFileSync(corpus('warc/resiliparse-commoncrawl-sample.warc.gz'));

  it('a truncated .warc.gz yields the records before the cut and one truncation error', async () => {
    // Cut inside the member of the record at 61090 (0513mt.com).
    const cut = gz.subarray(0, 61090 + 500);
    const errors: { code: string; offset?: number }[] = [];
    const urls: string[] = [];
    for await (const r of readArchiveRecords(chunksOf(cut), 'cut.warc.gz', { onError: (e) => errors.push({ code: e.code, offset: e.position.offset }) })) {
      if (r.type === 'response') urls.push(r.url!);
    }
    expect(urls.at(-1)).toBe('http://044545.com/topic/20200207/015849.html');
    expect(urls).toHaveLength(6);
    expect(errors.map((e) => e.offset)).toContain(61090);
    expect(errors.some((e) => /truncated/.test(e.code))).toBe(true);
  });

  it('a corrupt gzip member is skipped with its offset and the following records are read', async () => {
    const bad = Buffer.from(gz);
    // Overwrite deflate data in the middle of the member at 12685 (01spb.ru, 19668 bytes long).
    bad.fill(0x55, 12685 + 2000, 12685 + 2400);
    const { docs, stats, warnings } = await readFromBuffer(bad);
    expect(docs).toHaveLength(15);
    expect(docs.map((d) => d.meta.url)).not.toContain('http://01spb.ru/company/');
    expect(docs.map((d) => d.meta.url)).toContain('http://035.psb556.com/24/i/u_1090813/article.html');
    expect(stats['error:corrupt_gzip']).toBe(1);
    expect(warnings.find((w) => w.code === 'corrupt_gzip')!.position).toMatchObject({ offset: 12685 });
  });

  it('a plain WARC with a wrong Content-Length is reported and the next record is read', async () => {
    const text = readFileSync(corpus('warc/warcio-example.warc'), 'latin1');
    // Shrink the first warcinfo record's Content-Length so its block ends early.
    const broken = Buffer.from(text.replace('Content-Length: 249', 'Content-Length: 200'), 'latin1');
    const { docs, stats, warnings } = await readFromBuffer(broken);
    expect(docs).toHaveLength(1);
    // The error names the record whose Content-Length is wrong (its offset), not the bytes after it.
    expect(stats['error:bad_content_length']).toBe(1);
    expect(stats['error:malformed_record']).toBeUndefined();
    expect(warnings[0]!.position).toMatchObject({ offset: 0, record: 1 });
  });

  async function readFromBuffer(buf: Buffer) {
    const stats = new StageStats('read-warc');
    const warnings: Warning[] = [];
    const ctx = { stats, reporter: { progress() {}, info() {}, warn: (code: string, message: string, position?: ErrorPosition) => { warnings.push({ code, message, position }); } } };
    const docs: Document[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-warc-'));
    const file = path.join(dir, 'damaged.warc' + (buf[0] === 0x1f ? '.gz' : ''));
    writeFileSync(file, buf);
    try {
      for await (const d of warcSource([file]).read(ctx)) docs.push(d);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { docs, stats: stats.counters, warnings };
  }
});

describe('gzip of a WARC written by us from a real record', () => {
  it('per-record members concatenated are read with their offsets', async () => {
    const text = readFileSync(corpus('warc/warcio-example.warc'));
    const one = gzipSync(text);
    const two = Buffer.concat([one, one]);
    const offsets: number[] = [];
    for await (const r of readArchiveRecords(chunksOf(two, 333), 'two.warc.gz', {})) offsets.push(r.offset);
    // Each copy is a single member, so all six records of a copy share its offset.
    expect(offsets).toEqual([0, 0, 0, 0, 0, 0, one.length, one.length, one.length, one.length, one.length, one.length]);
  });
});
