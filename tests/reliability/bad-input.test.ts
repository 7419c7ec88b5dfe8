/**
 * Bad-input matrix (issue 12, item 2) and security checks (item 4). Every case runs the BUILT CLI the way
 * a user would, on a broken or hostile input made at test time from real files in shared/corpora, and
 * checks:
 *  (a) a clear error on stderr naming the input (file or URL) and the position (line / byte / record /
 *      entry), or, where the right outcome is a counted drop, that it is counted and named;
 *  (b) the other documents are still emitted (compared with the intact input);
 *  (c) the process stays within a memory cap (V8 heap capped with --max-old-space-size, peak RSS measured
 *      with GNU time and bounded);
 *  (d) the exit status says whether anything was skipped: 0 ok, 3 finished with bad records skipped
 *      (bin/cli-io.ts); never 2 (a bug).
 * Needs the system programs bzip2 and GNU time (/usr/bin/time), and dist/ built (`npx tsc -p .`).
 */
import { promises as fs, readFileSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Crawler } from '../../stages/http/index.js';
import { corpus, repoRoot } from '../helpers/corpora.js';
import { writeRecipeVariant } from '../helpers/recipes.js';
import {
  bzip2, gunzipFile, gzipParts, real, replaceOnce, tarEntry, tarGzWith, warcRecords, warcResponseRecord, write, zstdFrames,
} from './bad-input-fixtures.js';
import { docsOf, hasGnuTime, idsOf, type MeasuredRun, runMeasured } from './bad-input-run.js';
import { TestServer } from './bad-input-server.js';

let dir: string;
const server = new TestServer();

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bad-input-'));
  await server.start();
});
/** Peak RSS and time per checked run; written to $MT_BAD_INPUT_FIGURES (a JSON file) when set. */
const figures: { test: string; status: number | null; peakMb: number; capMb: number; ms: number }[] = [];

afterAll(async () => {
  if (process.env.MT_BAD_INPUT_FIGURES) await fs.writeFile(process.env.MT_BAD_INPUT_FIGURES, JSON.stringify(figures, null, 1));
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Memory caps (MB of peak RSS). A plain CLI run over small inputs stays near 100 MB. */
const SMALL = 350;

/** (c) and (d): never a crash, the expected exit status, and peak RSS under the cap. */
function expectRun(r: MeasuredRun, status: 0 | 1 | 3, capMb = SMALL): void {
  figures.push({ test: expect.getState().currentTestName ?? '', status: r.status, peakMb: Math.round(r.peakMb), capMb, ms: Math.round(r.ms) });
  expect(r.stderr, 'no internal error').not.toMatch(/internal error/);
  expect(r.status, r.stderr.slice(0, 2000)).toBe(status);
  if (hasGnuTime) {
    expect(r.peakMb).toBeGreaterThan(10);
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(capMb);
  }
}

/** (a): a `warning [code]:` line on stderr naming the input and matching the position pattern. */
function expectNamed(r: MeasuredRun, code: string, input: string, position: RegExp): string {
  const line = r.stderr.split('\n').find((l) => l.startsWith(`warning [${code}]`));
  expect(line, `a ${code} warning in:\n${r.stderr.slice(0, 2000)}`).toBeDefined();
  expect(line).toContain(input);
  expect(line).toMatch(position);
  return line!;
}

const base = (f: string) => path.basename(f);
const read = (kind: string, ...args: string[]) => ['read', kind, ...args];

// Reference runs over the intact inputs, taken once.
const intact = new Map<string, string[]>();
async function intactIds(key: string, args: string[]): Promise<string[]> {
  if (!intact.has(key)) {
    const r = await runMeasured(args);
    expect(r.status, r.stderr).toBe(0);
    intact.set(key, idsOf(r));
  }
  return intact.get(key)!;
}
/** The ids, with the file name part replaced, so a copy can be compared with the original. */
const renamed = (ids: string[], from: string, to: string) => ids.map((id) => id.split(from).join(to));

describe('compressed streams: truncated and corrupt', () => {
  it('truncated gzip (C4 JSON lines): the lines before the cut are kept, error names file and line', async () => {
    const src = readFileSync(real.dolma);
    const f = await write(dir, 'dolma-cut.jsonl.gz', src.subarray(0, Math.floor(src.length * 0.6)));
    const want = renamed(await intactIds('dolma', read('c4', real.dolma)), base(real.dolma), base(f));
    const r = await runMeasured(read('c4', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /line \d+/);
    const got = idsOf(r);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(want.length);
    expect(got).toEqual(want.slice(0, got.length));
  });

  it('corrupt gzip (bytes overwritten mid-file): the lines before the damage are kept', async () => {
    const src = Buffer.from(readFileSync(real.dolma));
    src.fill(0x55, Math.floor(src.length / 2), Math.floor(src.length / 2) + 64);
    const f = await write(dir, 'dolma-corrupt.jsonl.gz', src);
    const want = renamed(await intactIds('dolma', read('c4', real.dolma)), base(real.dolma), base(f));
    const r = await runMeasured(read('c4', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /line \d+: .*(corrupt|invalid|incorrect)/i);
    const got = idsOf(r);
    expect(got.length).toBeLessThan(want.length);
    expect(got).toEqual(want.slice(0, got.length));
  });

  it('truncated zstd (three frames, cut inside the last): the complete frames are kept', async () => {
    const frames = zstdFrames(real.c4.map(gunzipFile));
    const last = zstdFrames([gunzipFile(real.c4[2]!)]);
    const f = await write(dir, 'c4-frames.jsonl.zst', frames.subarray(0, frames.length - Math.floor(last.length / 2)));
    const r = await runMeasured(read('jsonl', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /line \d+/);
    expect(docsOf(r).length).toBe(20); // the 10 + 10 documents of the first two frames
  });

  it('truncated bz2 (Wikipedia dump): the pages before the damage are kept, error names the byte offset', async () => {
    const src = readFileSync(real.wikiBig);
    const f = await write(dir, 'wiki-cut.xml.bz2', src.subarray(0, Math.floor(src.length / 2)));
    const want = renamed(await intactIds('wiki', read('wikipedia', real.wikiBig)), base(real.wikiBig), base(f));
    const r = await runMeasured(read('wikipedia', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /byte \d+: .*truncated or corrupt/);
    const got = idsOf(r);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(want.length);
    expect(got).toEqual(want.slice(0, got.length));
  });

  it('truncated .warc.gz: the records before the cut are kept, error names the member offset', async () => {
    const src = readFileSync(real.ccWarc);
    const f = await write(dir, 'cc-cut.warc.gz', src.subarray(0, Math.floor(src.length * 0.6)));
    const want = renamed(await intactIds('cc', read('warc', '--raw', real.ccWarc)), base(real.ccWarc), base(f));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_gzip', base(f), /byte \d+, record \d+/);
    const got = idsOf(r);
    expect(got.length).toBeGreaterThan(3);
    expect(got.length).toBeLessThan(want.length);
    expect(got).toEqual(want.slice(0, got.length));
  });

  it('gzip followed by trailing garbage: every document is kept and the garbage is reported', async () => {
    const garbage = readFileSync(real.arc).subarray(0, 4096);
    const f = await write(dir, 'c4-trailing.json.gz', Buffer.concat([readFileSync(real.c4[0]!), garbage]));
    const r = await runMeasured(read('c4', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /line 11/);
    expect(docsOf(r).length).toBe(10);
  });
});

describe('web archives: wrong lengths and garbage', () => {
  let cc: Buffer;
  let ccWant: string[];
  // Record 6 of the Common Crawl sample is the response for http://01spb.ru/company/ (Content-Length 104911).
  const badUrl = 'http://01spb.ru/company/';
  beforeAll(async () => {
    cc = gunzipFile(real.ccWarc);
    ccWant = await intactIds('cc', read('warc', '--raw', real.ccWarc));
    expect(ccWant).toHaveLength(16);
  });
  const urls = (r: MeasuredRun) => docsOf(r).map((d) => d.meta!.url);

  for (const [name, length] of [['smaller', '50000'], ['larger', '115000']] as const) {
    it(`WARC record with a Content-Length ${name} than its block: that record is reported and dropped, the others kept`, async () => {
      const f = await write(dir, `cl-${name}.warc`, replaceOnce(cc, 'Content-Length: 104911\r\n', `Content-Length: ${length}\r\n`));
      const r = await runMeasured(read('warc', '--raw', f));
      expectRun(r, 3);
      expectNamed(r, 'bad_content_length', base(f), /byte \d+, record 6: .*Content-Length/);
      expect(urls(r)).not.toContain(badUrl);
      // a too-large length swallows the next (metadata, request) records; the next response after them is read
      expect(docsOf(r).length).toBe(name === 'smaller' ? 15 : 14);
    });
  }

  it('WARC record with a non-numeric Content-Length: reported as malformed, the rest read', async () => {
    const f = await write(dir, 'cl-nan.warc', replaceOnce(cc, 'Content-Length: 104911\r\n', 'Content-Length: 10491l\r\n'));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'malformed_record', base(f), /byte \d+, record 6: .*Content-Length/);
    expect(docsOf(r).length).toBe(15);
  });

  it('WARC record claiming 100 MB (over the 32 MiB record cap) in a small file: refused without buffering', async () => {
    const f = await write(dir, 'cl-huge.warc', replaceOnce(cc, 'Content-Length: 104911\r\n', 'Content-Length: 99999999\r\n'));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'record_too_large', base(f), /byte \d+, record 6/);
    expectNamed(r, 'truncated_record', base(f), /record 6: input ends inside the record block/);
    expect(docsOf(r).length).toBe(1); // the records before it; the claimed block runs to the end of the file
  });

  it('.warc.gz with one corrupt gzip member in the middle: that record is lost, all others kept', async () => {
    const members = warcRecords(cc).map((rec) => gzipSync(rec));
    const target = members.findIndex((m, i) => warcRecords(cc)[i]!.includes(badUrl) && warcRecords(cc)[i]!.includes('WARC-Type: response'));
    // the member is cut in half: its deflate stream runs into the next member's header bytes
    members[target] = members[target]!.subarray(0, Math.floor(members[target]!.length / 2));
    const offset = members.slice(0, target).reduce((a, m) => a + m.length, 0);
    const f = await write(dir, 'cc-member.warc.gz', Buffer.concat(members));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'corrupt_gzip', base(f), new RegExp(`byte ${offset}\\b`));
    expect(urls(r)).not.toContain(badUrl);
    expect(docsOf(r).length).toBe(15);
  });

  it('plain WARC cut inside a record block: the records before are kept, the cut record is named', async () => {
    const i = cc.indexOf('WARC-Target-URI: http://01spb.ru/company/');
    const f = await write(dir, 'cc-cut.warc', cc.subarray(0, i + 30_000));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_record', base(f), /byte \d+, record \d+: input ends inside the record block/);
    expect(docsOf(r).map((d) => d.meta!.url)).toEqual(['http://003338.cn/l41/481397.html']);
  });

  it('ARC with garbage bytes (a slice of a real tar.gz) between records: reported, every record kept', async () => {
    const arc = readFileSync(real.arc);
    const want = renamed(await intactIds('arc', read('warc', '--raw', real.arc)), base(real.arc), 'arc-garbage.arc');
    const f = await write(dir, 'arc-garbage.arc', replaceOnce(arc, '\nhttp://www.archive.org/index.php ',
      Buffer.concat([Buffer.from('\n'), readFileSync(real.tarBytes).subarray(0, 3000), Buffer.from('\nhttp://www.archive.org/index.php ')])));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'malformed_record', base(f), /byte \d+, record 5: expected a ARC record header/);
    expect(want).toHaveLength(2);
    expect(docsOf(r).map((d) => d.meta!.url)).toEqual(['http://www.archive.org/', 'http://www.archive.org/index.php']);
  });

  it('ARC .gz (one member per record) with a garbage member: reported with its offset, every record kept', async () => {
    const arc = readFileSync(real.arc);
    const starts = [...arc.toString('latin1').matchAll(/(^|\n)(?=(filedesc|dns|http)\S* \S+ \d{14} )/g)].map((m) => m.index! + m[1]!.length);
    const recs = starts.map((s, k) => arc.subarray(s, starts[k + 1] ?? arc.length));
    const members = recs.map((r) => gzipSync(r));
    members.splice(3, 0, readFileSync(real.tarBytes).subarray(0, 2000));
    const offset = members.slice(0, 3).reduce((a, m) => a + m.length, 0);
    const f = await write(dir, 'arc-garbage.arc.gz', Buffer.concat(members));
    const r = await runMeasured(read('warc', '--raw', f));
    expectRun(r, 3);
    expectNamed(r, 'corrupt_gzip', base(f), new RegExp(`byte ${offset}\\b`));
    expect(docsOf(r).map((d) => d.meta!.url)).toEqual(['http://www.archive.org/', 'http://www.archive.org/index.php']);
  });
});

describe('encodings', () => {
  it('invalid UTF-8 bytes in C4 JSON lines: those lines are reported by line and skipped, the rest kept', async () => {
    const lines = gunzipFile(real.c4[0]!).toString('latin1').split('\n');
    lines[2] = lines[2]!.replace('the', 'th\xff\xfe');
    lines[6] = lines[6]!.replace(' ', ' \xc3\x28 ');
    const f = await write(dir, 'c4-badutf8.json', Buffer.from(lines.join('\n'), 'latin1'));
    const r = await runMeasured(read('c4', f));
    expectRun(r, 3);
    expectNamed(r, 'invalid_utf8', base(f), /line 3: .*not valid UTF-8/);
    expect(idsOf(r)).toEqual([1, 2, 4, 5, 6, 8, 9, 10].map((n) => `c4:${base(f)}:${n}`));
  });

  it('mixed encodings in one JSON lines file (a windows-1252 line among UTF-8 ones): the odd line is named', async () => {
    const docs = (await runMeasured(read('c4', real.c4[1]!))).stdout.split('\n').filter(Boolean);
    const latin = Buffer.from(JSON.stringify({ id: 'latin', text: 'Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade, \u00fcber alles' }), 'latin1');
    const f = await write(dir, 'mixed.jsonl', Buffer.concat([Buffer.from(docs.slice(0, 4).join('\n') + '\n'), latin, Buffer.from('\n' + docs.slice(4).join('\n') + '\n')]));
    const r = await runMeasured(read('jsonl', f));
    expectRun(r, 3);
    expectNamed(r, 'invalid_utf8', base(f), /line 5/);
    expect(docsOf(r).length).toBe(10);
  });

  it('filter over a file with invalid UTF-8 lines: the bad lines are named, every other document gets a verdict', async () => {
    const src = gunzipFile(real.c4[2]!);
    const bad = replaceOnce(src, Buffer.from(' and '), Buffer.from(' an\xffd ', 'latin1'));
    const f = await write(dir, 'filter-badutf8.jsonl', bad);
    const r = await runMeasured(['filter', '--explain', f]);
    expectRun(r, 3);
    expectNamed(r, 'invalid_utf8', base(f), /line \d+/);
    expect(docsOf(r).length).toBe(9);
  });

  it('WARC with mixed encodings (windows-1252 with a charset, UTF-8 without one): both decode to the same text', async () => {
    const utf8 = readFileSync(real.germanPage);
    const text = utf8.toString('utf8');
    expect(text).toMatch(/[äöüß]/);
    const cp1252 = Buffer.from(text.replace(/<meta[^>]*charset[^>]*>/gi, ''), 'latin1');
    const f = await write(dir, 'mixed-charsets.warc.gz', Buffer.concat([
      warcResponseRecord({ url: 'https://de.example.org/latin1', date: '2024-01-01T00:00:00Z', contentType: 'text/html; charset=windows-1252', body: cp1252, recordId: '<urn:uuid:1>' }),
      warcResponseRecord({ url: 'https://de.example.org/utf8', date: '2024-01-01T00:00:00Z', contentType: 'text/html', body: utf8, recordId: '<urn:uuid:2>' }),
    ]));
    const r = await runMeasured(read('warc', f));
    expectRun(r, 0);
    const [a, b] = docsOf(r);
    expect(a!.text.length).toBeGreaterThan(500);
    expect(a!.text).toMatch(/[äöü]/);
    expect(a!.text).not.toContain('\ufffd');
    expect(a!.text).toBe(b!.text);
  });
});

describe('XML: malformed dumps and feeds, entity expansion', () => {
  let wiki: Buffer;
  let wikiWant: string[];
  beforeAll(async () => {
    wiki = Buffer.from(await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      import('node:child_process').then(({ spawn }) => {
        const c = spawn('bzip2', ['-dc', real.wikiBz2]);
        c.stdout.on('data', (b: Buffer) => chunks.push(b));
        c.on('error', reject);
        c.on('close', () => resolve(Buffer.concat(chunks)));
      });
    }));
    const f = await write(dir, 'wiki-intact.xml', wiki);
    wikiWant = await intactIds('wiki-xml', read('wikipedia', f));
    expect(wikiWant.length).toBeGreaterThan(3);
  });

  it('Wikipedia dump with a page missing </page>: that page is named by number and offset, the others kept', async () => {
    const second = wiki.indexOf('</page>', wiki.indexOf('</page>') + 1);
    const f = await write(dir, 'wiki-unclosed.xml', Buffer.concat([wiki.subarray(0, second), wiki.subarray(second + 7)]));
    const r = await runMeasured(read('wikipedia', f));
    expectRun(r, 3);
    expectNamed(r, 'malformed_xml', base(f), /byte \d+, record 2: .*no <\/page>/);
    expect(idsOf(r).length).toBe(wikiWant.length - 1);
  });

  it('Wikipedia dump with an unclosed <text>: the page is named, the others kept', async () => {
    const t = wiki.indexOf('</text>');
    const f = await write(dir, 'wiki-text.xml', Buffer.concat([wiki.subarray(0, t), wiki.subarray(t + 7)]));
    const r = await runMeasured(read('wikipedia', f));
    expectRun(r, 3);
    expectNamed(r, 'malformed_xml', base(f), /byte \d+, record 1: .*<text> is not closed/);
    expect(idsOf(r).length).toBe(wikiWant.length - 1);
  });

  it('Wikipedia dump with a "billion laughs" DOCTYPE: entities are never expanded, memory stays flat', async () => {
    const laughs = '<!DOCTYPE mediawiki [\n <!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n') + '\n]>\n';
    const withDoctype = replaceOnce(wiki, '<mediawiki', laughs + '<mediawiki');
    const f = await write(dir, 'wiki-laughs.xml', replaceOnce(withDoctype, '</text>', ' &amp;lol9; &lol9;</text>'));
    const r = await runMeasured(read('wikipedia', f));
    expectRun(r, 0);
    expect(idsOf(r).length).toBe(wikiWant.length);
    expect(r.stdout.length).toBeLessThan(wiki.length * 2);
    expect(r.stdout).not.toMatch(/(lol){100}/);
  });

  it('Wikipedia "dump" that is a bz2 bomb (64 MB of zeros from a few KB): refused after 16 MiB, next dump read', async () => {
    const f = path.join(dir, 'wiki-bomb.xml.bz2');
    await bzip2((await import('./bad-input-fixtures.js')).zeros(64 << 20), f);
    expect(statSync(f).size).toBeLessThan(10_000);
    const good = path.join(dir, 'wiki-intact.xml');
    const r = await runMeasured(read('wikipedia', f, good), { timeoutMs: 60_000 });
    expectRun(r, 3);
    expectNamed(r, 'malformed_xml', base(f), /byte 0: .*no <page> element in the first \d+ decompressed bytes/);
    expect(idsOf(r).length).toBe(wikiWant.length);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('Wikipedia page of 80 MB (over the 64 MiB page cap) inside a .gz dump: skipped by number, others kept', async () => {
    const cut = wiki.indexOf('</page>') + 7;
    const page = '\n  <page>\n    <title>Huge</title>\n    <ns>0</ns>\n    <id>99999999</id>\n    <revision>\n      <id>1</id>\n      <text xml:space="preserve">';
    const gz = await gzipParts([wiki.subarray(0, cut), Buffer.from(page), { zeros: 80 << 20 }, Buffer.from('</text>\n    </revision>\n  </page>'), wiki.subarray(cut)]);
    const f = await write(dir, 'wiki-hugepage.xml.gz', gz);
    const r = await runMeasured(read('wikipedia', f), { timeoutMs: 60_000 });
    expectRun(r, 3, 600);
    expectNamed(r, 'page_too_large', base(f), /byte \d+, record 2: .*larger than \d+ bytes/);
    expect(idsOf(r).length).toBe(wikiWant.length);
  });

  it('feed cut in the middle (malformed XML): named with its line, the next feed in the command is read', async () => {
    const heise = await runMeasured(read('feed', '--offline', real.heise));
    expect(heise.status).toBe(0);
    const g = readFileSync(real.guardian);
    const f = await write(dir, 'guardian-cut.rss', g.subarray(0, Math.floor(g.length / 2)));
    const r = await runMeasured(read('feed', '--offline', f, real.heise));
    expectRun(r, 3);
    expectNamed(r, 'malformed_feed', base(f), /line \d+: not well-formed XML/);
    expect(docsOf(r).length).toBe(docsOf(heise).length);
  });

  it('feed with a "billion laughs" DOCTYPE: no expansion, the items are still read', async () => {
    const h = readFileSync(real.heise);
    const laughs = '\n<!DOCTYPE feed [\n <!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n') + '\n]>\n';
    const withDoctype = replaceOnce(h, '?>', '?>' + laughs);
    const f = await write(dir, 'heise-laughs.atom', Buffer.from(withDoctype.toString('utf8').replace(/<\/title>/g, ' &lol9;</title>')));
    const ref = await runMeasured(read('feed', '--offline', real.heise));
    const r = await runMeasured(read('feed', '--offline', f));
    expect([0, 3]).toContain(r.status);
    expectRun(r, r.status as 0 | 3);
    if (r.status === 3) expectNamed(r, 'malformed_feed', base(f), /line \d+|entit/i);
    else expect(docsOf(r).length).toBe(docsOf(ref).length);
    expect(r.stdout).not.toMatch(/(lol){100}/);
  });

  it('feed with a quadratic-blowup entity (9 KB entity used 5,000 times): bounded memory and output', async () => {
    const h = readFileSync(real.heise);
    const withDoctype = replaceOnce(h, '?>', `?>\n<!DOCTYPE feed [\n <!ENTITY big "${'x'.repeat(9000)}">\n]>\n`);
    const f = await write(dir, 'heise-quadratic.atom', replaceOnce(withDoctype, '</summary>', '&big;'.repeat(5000) + '</summary>'));
    const r = await runMeasured(read('feed', '--offline', f));
    expectRun(r, r.status === 3 ? 3 : 0);
    expect(r.stdout.length).toBeLessThan(5_000_000); // 45 MB if expanded
    if (r.status === 3) expectNamed(r, 'malformed_feed', base(f), /./);
  });

  it('an HTML page given as a feed: "not a feed" named, the real feed next to it read', async () => {
    const r = await runMeasured(read('feed', '--offline', real.blogPage, real.heise));
    expectRun(r, 3);
    expectNamed(r, 'malformed_feed', base(real.blogPage), /./);
    expect(docsOf(r).length).toBeGreaterThan(5);
  });
});

describe('HTML: pathological nesting', () => {
  const page = () => readFileSync(real.blogPage, 'utf8');
  const inBody = (html: string, insert: string) => html.replace(/<body[^>]*>/, (m) => m + insert);

  it('extract: 100,000 nested <div>s: finishes quickly and still finds the article', async () => {
    const f = await write(dir, 'nested.html', inBody(page(), '<div>'.repeat(100_000) + '<p>deep text survives</p>' + '</div>'.repeat(100_000)));
    const plain = await runMeasured(['extract', real.blogPage]);
    const r = await runMeasured(['extract', f], { timeoutMs: 60_000 });
    expectRun(r, 0);
    expect(r.ms).toBeLessThan(20_000); // 64 s before the nesting cap
    // the article is still found (the deep text is not part of it, so the extractor leaves it out)
    expect(plain.stdout.length).toBeGreaterThan(500);
    expect(r.stdout).toContain(plain.stdout.trim().split('\n')[0]!.slice(0, 60));
  });

  it('extract: 100,000 unclosed <div><span> pairs: finishes quickly with the article text', async () => {
    const f = await write(dir, 'unclosed.html', inBody(page(), '<div><span>'.repeat(100_000) + 'still here'));
    const r = await runMeasured(['extract', f], { timeoutMs: 60_000 });
    expectRun(r, 0);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stdout).toContain('simdjson');
  });

  it('read warc: a nested-tag bomb among real pages: every page extracted', async () => {
    const bomb = Buffer.from(inBody(page(), '<div>'.repeat(100_000) + 'deep'));
    const f = await write(dir, 'nested.warc.gz', Buffer.concat([
      readFileSync(real.ccWarc),
      warcResponseRecord({ url: 'https://example.org/nested', date: '2024-01-01T00:00:00Z', contentType: 'text/html; charset=utf-8', body: bomb, recordId: '<urn:uuid:3>' }),
    ]));
    const r = await runMeasured(read('warc', f), { timeoutMs: 60_000 });
    expectRun(r, 0);
    expect(docsOf(r).map((d) => d.meta!.url)).toContain('https://example.org/nested');
    expect(docsOf(r).length).toBe(17);
  });
});

describe('size: a 100 MB document and decompression bombs', () => {
  let bigFile: string;
  const BIG = 100_000_000;
  beforeAll(async () => {
    const book = readFileSync(real.book, 'utf8');
    const text = book.repeat(Math.ceil(BIG / book.length)).slice(0, BIG);
    const c4 = gunzipFile(real.c4[0]!).toString('utf8').trim().split('\n');
    const big = JSON.stringify({ id: 'big', subset: 'web', text });
    bigFile = await write(dir, 'big.jsonl', [...c4.slice(0, 5), big, ...c4.slice(5)].join('\n') + '\n');
  });

  it('a single 100 MB document among real ones: read whole, all kept, memory bounded', async () => {
    const r = await runMeasured(read('jsonl', bigFile), { heapMb: 1024, timeoutMs: 120_000 });
    expectRun(r, 0, 1100); // measured ~790 MB: the line, its string, the JSON output
    const docs = docsOf(r);
    expect(docs).toHaveLength(11);
    expect(docs[5]!.text.length).toBe(BIG);
  });

  it('filter --explain over it: a verdict for every document (the 100 MB one fails the word count)', async () => {
    const r = await runMeasured(['filter', '--explain', bigFile], { heapMb: 1024, timeoutMs: 120_000 });
    expectRun(r, 0, 1300); // measured ~970 MB
    const v = docsOf(r);
    expect(v).toHaveLength(11);
    expect(v[5]).toMatchObject({ id: 'big', keep: false, reason: 'gopher_quality:word_count' });
  });

  it('decompression bomb in JSON lines (300 MB of zeros in one line, ~300 KB of gzip) between real documents', async () => {
    const c4 = gunzipFile(real.c4[0]!);
    const gz = Buffer.concat([gzipSync(c4), await gzipParts([{ zeros: 300 << 20 }, Buffer.from('\n')]), gzipSync(gunzipFile(real.c4[1]!))]);
    expect(gz.length).toBeLessThan(1 << 20);
    const f = await write(dir, 'bomb.jsonl.gz', gz);
    const r = await runMeasured(read('jsonl', f), { heapMb: 512, timeoutMs: 120_000 });
    expectRun(r, 3, 500); // the 256 MiB line cap + ~100 MB: measured ~360 MB (4 GB before the cap, for 2 GB of zeros)
    expectNamed(r, 'line_too_long', base(f), /line 11, byte \d+: .*over the \d+-byte cap/);
    expect(docsOf(r)).toHaveLength(20);
  });

  it('decompression bomb in a .warc.gz (a 300 MB zero block, honestly declared): skipped unbuffered, others kept', async () => {
    const n = 300 << 20;
    const head = Buffer.from(`WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/bomb\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ${n}\r\n\r\n`);
    const bomb = await gzipParts([head, Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${n - 200}\r\n\r\n`.padEnd(200, ' ')), { zeros: n - 200 }, Buffer.from('\r\n\r\n')]);
    const f = await write(dir, 'bomb.warc.gz', Buffer.concat([readFileSync(real.ccWarc), bomb, readFileSync(corpus('warc/warcio-example.warc.gz'))]));
    const r = await runMeasured(read('warc', '--raw', f), { timeoutMs: 120_000 });
    expectRun(r, 3, 250); // measured ~120 MB (~380 MB before the inflater was fed in 16 KiB slices)
    expectNamed(r, 'record_too_large', base(f), /byte \d+, record \d+: record block of \d+ bytes is over/);
    expect(docsOf(r)).toHaveLength(17);
  });
});


describe('code archives: paths escaping the repository', () => {
  let intactFiles: string[];
  beforeAll(async () => {
    intactFiles = docsOf(await runMeasured(read('code', real.sds))).map((d) => String(d.meta!.path));
    expect(intactFiles.length).toBeGreaterThan(3);
  });
  const src = () => readFileSync(path.join(repoRoot, 'README.md'));
  const hostile = async (name: string, entries: Buffer[]) => {
    const f = await write(dir, `${name}.tar.gz`, tarGzWith(real.sds, entries));
    const r = await runMeasured(read('code', f));
    expectRun(r, 3);
    return { f, r };
  };

  it('tar entry with ../ climbing out of the repository: refused and named, every real file kept', async () => {
    const { f, r } = await hostile('dotdot', [tarEntry('antirez__sds/../../escaped.c', src())]);
    expectNamed(r, 'unsafe_path', base(f), /record antirez__sds\/\.\.\/\.\.\/escaped\.c|escaped\.c/);
    expect(docsOf(r).map((d) => String(d.meta!.path)).sort()).toEqual([...intactFiles].sort());
  });

  it('tar entry with an absolute path: refused and named, every real file kept', async () => {
    const { f, r } = await hostile('absolute', [tarEntry('/tmp/massivetext-absolute.c', src())]);
    expectNamed(r, 'unsafe_path', base(f), /\/tmp\/massivetext-absolute\.c/);
    expect(docsOf(r).map((d) => String(d.meta!.path)).sort()).toEqual([...intactFiles].sort());
  });

  it('tar symlink entry pointing outside the repository: refused and named', async () => {
    const { f, r } = await hostile('symlink', [tarEntry('antirez__sds/passwd.c', Buffer.alloc(0), '2', '../../../../etc/passwd')]);
    expectNamed(r, 'unsafe_path', base(f), /passwd/);
    expect(r.stdout).not.toContain('root:x:0:0');
    expect(docsOf(r).length).toBe(intactFiles.length);
  });

  it('repository directory with symlinks out of it (absolute and ../): refused, the target never read', async () => {
    const repo = path.join(dir, 'repo-links');
    const tar = gunzipFile(real.sds);
    await fs.mkdir(repo, { recursive: true });
    // unpack the real archive with the system tar (argument vector, no shell)
    const { execFileSync } = await import('node:child_process');
    execFileSync('tar', ['-xf', '-', '-C', repo, '--strip-components=1'], { input: tar });
    const secret = await write(dir, 'outside-secret.c', '/* SECRET_OUTSIDE_THE_REPO */ int main(void) { return 0; }\n');
    await fs.symlink(secret, path.join(repo, 'abs-link.c'));
    await fs.symlink(path.relative(repo, secret), path.join(repo, 'rel-link.c'));
    const r = await runMeasured(read('code', repo));
    expectRun(r, 3);
    expectNamed(r, 'unsafe_path', 'repo-links', /link\.c/);
    expect(r.stdout).not.toContain('SECRET_OUTSIDE_THE_REPO');
    expect(docsOf(r).length).toBe(intactFiles.length);
  });

  it('truncated tar.gz: the files before the cut are kept, the error names the archive and offset', async () => {
    const src = readFileSync(real.vfile);
    const f = await write(dir, 'vfile-cut.tar.gz', src.subarray(0, Math.floor(src.length * 0.7)));
    const all = docsOf(await runMeasured(read('code', real.vfile)));
    const r = await runMeasured(read('code', f));
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /byte \d+/);
    expect(docsOf(r).length).toBeGreaterThan(0);
    expect(docsOf(r).length).toBeLessThan(all.length);
  });
});

describe('empty files, each kind, next to a real input', () => {
  const emptyCases: [string, string, string[], 0 | 3, RegExp | null][] = [
    // kind, empty file name, a real input read after it, exit status, the warning pattern (null: a silent empty input)
    ['jsonl', 'empty.jsonl', [], 0, null],
    ['c4', 'empty.json.gz', [], 3, /truncated_input.*empty\.json\.gz, line 1/],
    ['warc', 'empty.warc', [], 0, null],
    ['wikipedia', 'empty.xml', [], 3, /malformed_xml.*empty\.xml, byte 0: .*no <page>/],
    ['feed', 'empty.rss', ['--offline'], 3, /malformed_feed.*empty\.rss, line 1/],
    ['gutenberg', 'empty.txt', [], 0, null],
    ['code', 'empty.tar.gz', [], 3, /truncated_input.*empty\.tar\.gz, byte 0/],
  ];
  const realInput: Record<string, string> = {
    jsonl: real.c4[0]!, c4: real.c4[0]!, warc: real.ccWarc, wikipedia: real.wikiBz2, feed: real.heise, gutenberg: real.rawBook, code: real.sds,
  };
  for (const [kind, name, flags, status, warning] of emptyCases) {
    it(`empty ${kind} file (${name}): ${warning ? 'named and counted' : 'zero documents, no error'}; the next input is read in full`, async () => {
      const f = await write(dir, `empty/${name}`, '');
      const alone = await runMeasured(read(kind, ...flags, realInput[kind]!));
      expect(alone.status, alone.stderr).toBe(0);
      const r = await runMeasured(read(kind, ...flags, f, realInput[kind]!));
      expectRun(r, status);
      if (warning) expect(r.stderr).toMatch(warning);
      else expect(r.stderr).not.toMatch(/warning/);
      expect(docsOf(r).length).toBe(docsOf(alone).length);
      expect(docsOf(r).length).toBeGreaterThan(0);
    });
  }

  it('empty HTML page for extract: no text, exit 0', async () => {
    const f = await write(dir, 'empty/empty.html', '');
    const r = await runMeasured(['extract', f]);
    expectRun(r, 0);
    expect(r.stdout).toBe('');
  });
});

describe('HTTP: a real local server (port 0) through the polite crawler', () => {
  const pageA = () => readFileSync(real.blogPage);
  const pageB = () => readFileSync(corpus('html/trafilatura/pythonspeed.com.docker.html'));
  const html = (body: Buffer) => (_q: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  };
  const crawl = (...urls: string[]) => ['read', 'html', '--allow-private', '--per-host-delay', '0', ...urls];
  let busy = 0;
  beforeAll(async () => {
    const r = server.routes;
    r.set('/robots.txt', (_q, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n'); });
    r.set('/a', html(pageA()));
    r.set('/b', html(pageB()));
    r.set('/private/b', html(pageB()));
    r.set('/err500', (_q, res) => { res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>'); });
    r.set('/busy', (_q, res) => {
      if (busy++ === 0) res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down');
      else html(pageB())(_q, res);
    });
    r.set('/always429', (_q, res) => { res.writeHead(429, { 'retry-after': '1' }).end('slow down'); });
    r.set('/loop-a', (_q, res) => { res.writeHead(302, { location: '/loop-b' }).end(); });
    r.set('/loop-b', (_q, res) => { res.writeHead(302, { location: '/loop-a' }).end(); });
    r.set('/pdf', (_q, res) => { res.writeHead(200, { 'content-type': 'application/pdf' }).end(readFileSync(real.tarBytes)); });
    const bomb = await gzipParts([Buffer.from('<html><body><p>'), { zeros: 200 << 20 }]);
    r.set('/gzbomb', (_q, res) => { res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb); });
    r.set('/trickle', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const t = setInterval(() => res.write('<p>.'), 200);
      res.on('close', () => clearInterval(t));
    });
    r.set('/silent', () => { /* never answers */ });
    r.set('/feed-as-html', html(pageA()));
    r.set('/feed-as-png', (_q, res) => { res.writeHead(200, { 'content-type': 'image/png' }).end(readFileSync(real.tarBytes)); });
  });

  it('HTTP 500: retried, then named with its URL; the other page is kept', async () => {
    const before = server.hitsOf('/err500');
    const r = await runMeasured(crawl(`${server.base}/err500`, `${server.base}/a`));
    expectRun(r, 3);
    expectNamed(r, 'http_status', `${server.base}/err500`, /HTTP 500/);
    expect(server.hitsOf('/err500') - before).toBe(4); // the first try and 3 retries
    expect(docsOf(r).map((d) => d.meta!.url)).toEqual([`${server.base}/a`]);
  });

  it('HTTP 429 with Retry-After: 1: waits, retries once, then reads the page (exit 0)', async () => {
    busy = 0;
    const r = await runMeasured(crawl(`${server.base}/busy`));
    expectRun(r, 0);
    expect(busy).toBe(2);
    expect(r.ms).toBeGreaterThan(1000);
    expect(docsOf(r)).toHaveLength(1);
  });

  it('HTTP 429 that never ends: named after the retries, the other page kept', async () => {
    const r = await runMeasured(crawl(`${server.base}/always429`, `${server.base}/b`));
    expectRun(r, 3);
    expectNamed(r, 'http_status', `${server.base}/always429`, /HTTP 429/);
    expect(server.hitsOf('/always429')).toBe(4);
    expect(docsOf(r)).toHaveLength(1);
  });

  it('redirect loop: stops after 5 hops, named with the URL; the other page kept', async () => {
    const r = await runMeasured(crawl(`${server.base}/loop-a`, `${server.base}/a`));
    expectRun(r, 3);
    expectNamed(r, 'too_many_redirects', `${server.base}/loop-a`, /more than 5 redirects/);
    expect(server.hitsOf('/loop-a') + server.hitsOf('/loop-b')).toBe(6);
    expect(docsOf(r)).toHaveLength(1);
  });

  it('robots.txt Disallow: the page is never requested, named; the allowed page kept', async () => {
    const r = await runMeasured(crawl(`${server.base}/private/b`, `${server.base}/b`));
    expectRun(r, 3);
    expectNamed(r, 'robots_disallowed', `${server.base}/private/b`, /disallows \/private\/b/);
    expect(server.hitsOf('/private/b')).toBe(0);
    expect(docsOf(r).map((d) => d.meta!.url)).toEqual([`${server.base}/b`]);
  });

  it('wrong content type (a binary served as application/pdf): refused as not HTML, named', async () => {
    const r = await runMeasured(crawl(`${server.base}/pdf`, `${server.base}/a`));
    expectRun(r, 3);
    expectNamed(r, 'not_html', `${server.base}/pdf`, /application\/pdf/);
    expect(docsOf(r)).toHaveLength(1);
  });

  it('gzip bomb body (200 MB of zeros as Content-Encoding: gzip): cut at the 10 MiB decompressed cap', async () => {
    const r = await runMeasured(crawl(`${server.base}/gzbomb`, `${server.base}/b`), { heapMb: 256 });
    expectRun(r, 3, 300);
    expectNamed(r, 'too_large', `${server.base}/gzbomb`, /over the \d+-byte cap/);
    expect(docsOf(r)).toHaveLength(1);
  });

  it('feed URL answered with an HTML page, and one with image/png: both named, no crash', async () => {
    const r = await runMeasured(['read', 'feed', '--allow-private', '--per-host-delay', '0', '--no-articles', `${server.base}/feed-as-html`, `${server.base}/feed-as-png`, real.heise]);
    expectRun(r, 3);
    expect(r.stderr).toMatch(new RegExp(`warning \\[malformed_feed\\]: ${server.base}/feed-as-html`));
    expect(r.stderr).toMatch(new RegExp(`warning \\[unwanted_content_type\\]: ${server.base}/feed-as-png.*image/png`));
    expect(docsOf(r).length).toBeGreaterThan(5);
  });

  it('slow loris (a byte every 200 ms, forever) and a silent server: the whole-fetch deadline ends both', async () => {
    // Library level: the CLI's default deadline is 180 s (Scrapy's DOWNLOAD_TIMEOUT); here 1.5 s.
    const c = new Crawler({ allowPrivate: true, respectRobots: false, perHostDelayMs: 0, requestTimeoutMs: 1500 });
    for (const p of ['/trickle', '/silent']) {
      const t0 = performance.now();
      const e = await c.fetchPage(`${server.base}${p}`).then(() => null, (x: unknown) => x as { code: string; position: { file: string } });
      expect(e?.code).toBe('timeout');
      expect(e?.position.file).toBe(`${server.base}${p}`);
      expect(performance.now() - t0).toBeLessThan(5000);
    }
    await c.close();
  });
});

describe('HTTP timeouts through the CLI: slow loris and silent servers (read --timeout and friends)', () => {
  // A server that trickles a few bytes every 200 ms, forever, never finishing its response.
  const trickle = (type: string, bytes: Buffer, step = 32) => (_q: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': type });
    let at = 0;
    const t = setInterval(() => {
      if (at < bytes.length) res.write(bytes.subarray(at, (at += step)));
      else res.write(' ');
    }, 200);
    res.on('close', () => clearInterval(t));
  };
  const page = () => readFileSync(real.blogPage);
  // --json: every warning on stderr as a JSON line (the terminal shows only the first of each code)
  const flags = ['--json', '--allow-private', '--per-host-delay', '0'];
  beforeAll(() => {
    const r = server.routes;
    r.set('/t/robots.txt', (_q, res) => { res.writeHead(404).end(); });
    r.set('/t/page', (_q, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page()); });
    r.set('/t/loris.html', trickle('text/html', page()));
    r.set('/t/loris.warc.gz', trickle('application/warc', readFileSync(real.ccWarc), 64));
    r.set('/t/loris.atom', trickle('application/atom+xml', readFileSync(real.heise)));
    r.set('/t/silent', () => { /* never answers: no status line, no headers */ });
    r.set('/t/headers-only', (_q, res) => { res.writeHead(200, { 'content-type': 'application/warc' }); res.flushHeaders(); });
  });
  const url = (p: string) => `${server.base}/t/${p}`;
  /** The warnings of a --json run as "code: URL: message". */
  const warnings = (r: MeasuredRun): string[] => r.stderr.split('\n').filter((l) => l.startsWith('{"event":"warning"')).map((l) => {
    const w = JSON.parse(l) as { code: string; message: string; position: { file?: string } };
    return `${w.code}: ${w.position.file}: ${w.message}`;
  });
  // Without the flags these requests would hang for the defaults (180 s, or forever for a trickled WARC
  // before --min-speed existed); the bound leaves room for process start-up on a loaded machine.
  const BOUND_MS = 20_000;

  it('read html --timeout 1500: a slow-loris page and a silent server fail by URL within the deadline, the good page is kept', async () => {
    const r = await runMeasured(['read', 'html', ...flags, '--timeout', '1500', url('loris.html'), url('silent'), url('page')], { timeoutMs: 60_000 });
    expectRun(r, 3);
    expect(warnings(r)).toEqual([`timeout: ${url('loris.html')}: no complete response within 1500 ms`, `timeout: ${url('silent')}: no complete response within 1500 ms`]);
    expect(docsOf(r).map((d) => d.meta!.url)).toEqual([url('page')]);
    expect(r.stderr).toContain('2 bad record(s) skipped');
    expect(r.ms).toBeGreaterThan(1500);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it('read warc: a WARC URL trickled at ~320 B/s is abandoned under --min-speed, one that never answers at --timeout; the local WARC is read whole', async () => {
    const want = await intactIds('cc', read('warc', '--raw', real.ccWarc));
    const r = await runMeasured(['read', 'warc', '--raw', ...flags, '--min-speed', '1024', '--speed-window', '1500', '--timeout', '1500',
      url('loris.warc.gz'), url('silent'), real.ccWarc], { timeoutMs: 60_000 });
    expectRun(r, 3);
    const w = warnings(r);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(new RegExp(`^too_slow: ${url('loris.warc.gz')}: body arrived at \\d+ bytes/s over \\d+ ms, under the 1024 bytes/s minimum`));
    expect(w[1]).toBe(`timeout: ${url('silent')}: no response within 1500 ms`);
    expect(idsOf(r)).toEqual(want);
    expect(r.ms).toBeGreaterThan(3000);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it('read warc --body-timeout 1000: a response that sends its headers and then nothing is named as a timeout', async () => {
    const r = await runMeasured(['read', 'warc', '--raw', ...flags, '--body-timeout', '1000', url('headers-only'), real.ccWarc], { timeoutMs: 60_000 });
    expectRun(r, 3);
    expect(warnings(r)).toEqual([`timeout: ${url('headers-only')}: no body data for 1000 ms (UND_ERR_BODY_TIMEOUT)`]);
    expect(idsOf(r)).toEqual(await intactIds('cc', read('warc', '--raw', real.ccWarc)));
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it('read feed --timeout 1500: a slow-loris feed URL is named and the local feed read; slow-loris articles fall back to the feed content', async () => {
    const r = await runMeasured(['read', 'feed', ...flags, '--no-articles', '--timeout', '1500', url('loris.atom'), real.heise], { timeoutMs: 60_000 });
    expectRun(r, 3);
    expect(warnings(r)).toEqual([`timeout: ${url('loris.atom')}: no complete response within 1500 ms`]);
    expect(docsOf(r)).toEqual(docsOf(await runMeasured(['read', 'feed', '--no-articles', real.heise])));
    expect(r.ms).toBeLessThan(BOUND_MS);
    // the real feed with its first two article links on the slow-loris page and every other link on a good page
    let n = 0;
    const feed = readFileSync(real.heise, 'utf8').replace(/(<link rel="alternate" type="text\/html" )href="http:\/\/www\.heise\.de\/developer\/meldung\/[^"]*"/g,
      (m, link: string) => (n++ < 2 ? `${link}href="${url('loris.html')}"` : m)).replace(/href="https?:\/\/www\.heise\.de\/[^"]*"/g, `href="${url('page')}"`);
    expect(n).toBeGreaterThan(5);
    const f = await write(dir, 'heise-loris.atom', feed);
    const a = await runMeasured(['read', 'feed', ...flags, '--timeout', '1500', f], { timeoutMs: 60_000 });
    expectRun(a, 0); // an article that cannot be had is not a bad record: its item keeps the feed content
    const docs = docsOf(a);
    // the articles queued behind the two slow ones (2 requests per host) are not charged for the wait
    expect(docs.filter((d) => d.meta!.articleError === 'timeout').map((d) => d.meta!.url)).toEqual([url('loris.html'), url('loris.html')]);
    expect(docs.filter((d) => d.meta!.origin === 'article')).toHaveLength(docs.length - 2);
    expect(a.ms).toBeLessThan(BOUND_MS);
  });
});

describe('security: the crawler never reaches private addresses unless allowed', () => {
  const guard = new TestServer();
  beforeAll(async () => {
    await guard.start();
    guard.routes.set('/page', (_q, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(real.blogPage)); });
    guard.routes.set('/robots.txt', (_q, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n'); });
    guard.routes.set('/data.warc.gz', (_q, res) => { res.writeHead(200, { 'content-type': 'application/warc' }).end(readFileSync(real.ccWarc)); });
    guard.routes.set('/to-private', (_q, res) => { res.writeHead(302, { location: `http://127.0.0.2:${guard.port}/data.warc.gz` }).end(); });
    guard.routes.set('/to-v6', (_q, res) => { res.writeHead(302, { location: `http://[::1]:${guard.port}/page` }).end(); });
  });
  afterAll(() => guard.close());
  const total = () => [...guard.hits.values()].reduce((a, b) => a + b, 0);

  it('read html without --allow-private: loopback in every spelling is refused before any byte is sent', async () => {
    const p = guard.port;
    const urls = [`http://127.0.0.1:${p}/page`, `http://localhost:${p}/page`, `http://127.1:${p}/page`, `http://2130706433:${p}/page`,
      `http://0x7f000001:${p}/page`, `http://[::1]:${p}/page`, `http://[::ffff:127.0.0.1]:${p}/page`, `http://0.0.0.0:${p}/page`, `http://127.0.0.2:${p}/page`];
    const before = total();
    const r = await runMeasured(['read', 'html', '--per-host-delay', '0', ...urls]);
    expectRun(r, 3);
    expectNamed(r, 'blocked_address', `127.0.0.1:${p}/page`, /refusing to connect/);
    expect(r.stderr).toMatch(/1 bad record|9 bad record/);
    expect(r.stderr).toContain('9 bad record(s) skipped');
    expect(docsOf(r)).toHaveLength(0);
    expect(total() - before).toBe(0);
  });

  it('read warc over HTTP and read feed articles without --allow-private: refused, nothing fetched', async () => {
    const before = total();
    const w = await runMeasured(['read', 'warc', `http://localhost:${guard.port}/data.warc.gz`]);
    expectRun(w, 3);
    expectNamed(w, 'blocked_address', `localhost:${guard.port}/data.warc.gz`, /refusing to connect to localhost/);
    // a real feed whose article links point at the loopback server: the items fall back to the feed content
    const feed = readFileSync(real.heise, 'utf8').replace(/href="https?:\/\/www\.heise\.de\/[^"]*"/g, `href="http://127.0.0.1:${guard.port}/page"`);
    const f = await write(dir, 'heise-loopback.atom', feed);
    const n = await runMeasured(['read', 'feed', '--per-host-delay', '0', f]);
    expect(n.stderr).not.toMatch(/internal error/);
    expect(docsOf(n).length).toBe(docsOf(await runMeasured(['read', 'feed', '--offline', real.heise])).length);
    expect(total() - before).toBe(0);
  });

  it('a redirect from an allowed address to a blocked one is refused on every hop (WARC downloads too)', async () => {
    const c = new Crawler({ allowPrivate: ['127.0.0.1'], respectRobots: false, perHostDelayMs: 0 });
    const before = guard.hitsOf('/data.warc.gz');
    let err: { code?: string; message?: string } | null = null;
    try {
      for await (const chunk of c.openStream(`${guard.base}/to-private`)) void chunk;
    } catch (e) {
      err = e as { code: string };
    }
    expect(err?.code).toBe('blocked_address');
    expect(err?.message).toContain('127.0.0.2');
    const e2 = await c.fetchPage(`${guard.base}/to-v6`).then(() => null, (e: unknown) => e as { code: string });
    expect(e2?.code).toBe('blocked_address');
    expect(guard.hitsOf('/data.warc.gz') - before).toBe(0);
    expect(guard.hitsOf('/page')).toBe(0);
    await c.close();
  });
});

/** Source files of the product (not tests, not dependencies). */
function productSources(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!['node_modules', 'dist', 'testing'].includes(e.name)) walk(p);
      } else if (/\.(ts|mts|js|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
    }
  };
  for (const d of ['bin', 'pipeline', 'stages', 'filters', 'tokenizer', 'bench', 'scripts', 'sample']) {
    try {
      if (statSync(path.join(repoRoot, d)).isDirectory()) walk(path.join(repoRoot, d));
    } catch { /* folder absent */ }
  }
  return out;
}

/** Shell-string hazards in one source text: `file:line: what` for each. */
function shellHazards(text: string, file = 'x.ts'): string[] {
  const found: string[] = [];
  const lineOf = (i: number) => text.slice(0, i).split('\n').length;
  // exec/execSync always run a shell: not allowed at all.
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?child_process['"]/g)) {
    for (const name of m[1]!.split(',').map((s) => s.trim().split(/\s+as\s+/)[0]!)) {
      if (name === 'exec' || name === 'execSync') found.push(`${file}:${lineOf(m.index!)}: imports ${name} (always runs a shell)`);
    }
  }
  for (const m of text.matchAll(/\b(?:child_process|cp)\s*\.\s*(exec|execSync)\s*\(/g)) found.push(`${file}:${lineOf(m.index!)}: calls ${m[1]}`);
  // spawn/execFile with a shell, or with a command built from a template or concatenation.
  for (const m of text.matchAll(/\b(spawn|spawnSync|execFile|execFileSync|fork)\s*\(([^;]*?)\)\s*[;\n]/g)) {
    const call = m[2]!;
    if (/\bshell\s*:\s*(true|['"`])/.test(call)) found.push(`${file}:${lineOf(m.index!)}: ${m[1]} with shell`);
    if (/^\s*`[^`]*\$\{/.test(call) || /^\s*['"][^'"]*['"]\s*\+/.test(call)) found.push(`${file}:${lineOf(m.index!)}: ${m[1]} command built from a string`);
  }
  return found;
}

describe('security: no shell strings, pinned dependencies', () => {
  it('no module runs a shell or builds a command string (static scan of every product source)', () => {
    // the scanner itself catches the patterns it looks for
    expect(shellHazards("import { execSync } from 'node:child_process';\nexecSync(`tar xf ${file}`);")).toHaveLength(1);
    expect(shellHazards("spawn('bzip2', ['-dc', file], { shell: true });\n")).toHaveLength(1);
    expect(shellHazards('spawn(`git clone ${url}`, []);\n')).toHaveLength(1);
    expect(shellHazards("spawn('git', ['clone', '--', url], { shell: false });\n")).toHaveLength(0);
    const files = productSources();
    expect(files.length).toBeGreaterThan(50);
    const spawners = files.filter((f) => /child_process/.test(readFileSync(f, 'utf8')));
    expect(spawners.length).toBeGreaterThan(1); // the bz2 reader and git clone at least
    const hazards = files.flatMap((f) => shellHazards(readFileSync(f, 'utf8'), path.relative(repoRoot, f)));
    expect(hazards).toEqual([]);
  });

  it('dependencies are pinned: exact versions in package.json, all of them in a v2+ lockfile', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    for (const [name, version] of Object.entries(pkg.dependencies as Record<string, string>)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    }
    for (const name of Object.keys(pkg.devDependencies ?? {})) expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
  });
});

describe('build: bad inputs among good ones', () => {
  it('a c4 subset with a truncated gzip, a non-UTF-8 line and a decompression bomb among the sample files', async () => {
    const trunc = readFileSync(real.dolma);
    const cut = await write(dir, 'build/dolma-cut.json.gz', trunc.subarray(0, Math.floor(trunc.length * 0.6)));
    const lines = gunzipFile(real.c4[1]!).toString('latin1').split('\n');
    lines[0] = lines[0]!.replace('the', 'th\xff');
    const bad = await write(dir, 'build/badutf8.json.gz', gzipSync(Buffer.from(lines.join('\n'), 'latin1')));
    const bomb = await write(dir, 'build/bomb.json.gz', Buffer.concat([gzipSync(gunzipFile(real.c4[2]!)), await gzipParts([{ zeros: 300 << 20 }])]));
    const recipe = await writeRecipeVariant(path.join(dir, 'build'), (rec) => {
      for (const k of Object.keys(rec.subsets)) if (k !== 'c4') delete rec.subsets[k];
      rec.subsets.c4.sources[0].inputs.push(cut, bad, bomb);
      rec.mixture = { c4: 1 };
      rec.dedup.near = false;
      rec.tokenizer.vocabSize = 1000;
      rec.tokenizer.trainingBytes = 1_500_000;
    });
    const out = path.join(dir, 'build', 'out');
    const r = await runMeasured(['build', '--config', recipe, '--out', out], { timeoutMs: 240_000 });
    expectRun(r, 3, 900);
    expect(r.stderr).toMatch(/warning \[truncated_input\]: .*dolma-cut\.json\.gz, line \d+/);
    expect(r.stderr).toMatch(/warning \[invalid_utf8\]: .*badutf8\.json\.gz, line 1/);
    expect(r.stderr).toMatch(/warning \[line_too_long\]: .*bomb\.json\.gz, line 11, byte \d+/);
    const report = JSON.parse(await fs.readFile(path.join(out, 'report.json'), 'utf8'));
    const source = report.subsets.c4.funnel.find((s: { step: string }) => s.step === 'source');
    // 30 sample documents + the 10 before the bomb + 9 of the non-UTF-8 file + the lines before the cut
    const cutDocs = idsOf(await runMeasured(read('c4', cut))).length;
    expect(source.docs).toBe(30 + 10 + 9 + cutDocs);
  });
});

describe('filter and dedup over damaged JSON lines', () => {
  it('dedup (exact + near) over a truncated .jsonl.gz next to an intact file: named, every readable document kept', async () => {
    const src = readFileSync(real.dolma);
    const cut = await write(dir, 'dedup/dolma-cut.jsonl.gz', src.subarray(0, Math.floor(src.length * 0.6)));
    const before = idsOf(await runMeasured(read('jsonl', cut))).length;
    expect(before).toBeGreaterThan(0);
    const r = await runMeasured(['dedup', cut, real.c4[0]!]);
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(cut), /line \d+/);
    expect(docsOf(r).length).toBe(before + 10);
  });

  it('dedup --near --explain with a non-UTF-8 line: that line is named, every other document keeps its own verdict', async () => {
    const lines = gunzipFile(real.c4[0]!).toString('latin1').trimEnd().split('\n');
    // a duplicate of line 1 placed after the bad line: ordinals must stay aligned for it to be the one removed
    lines[3] = lines[3]!.replace('the', 'th\xfe');
    lines.push(lines[0]!);
    const f = await write(dir, 'dedup/near-badutf8.jsonl', Buffer.from(lines.join('\n') + '\n', 'latin1'));
    const r = await runMeasured(['dedup', '--near', '--explain', f]);
    expectRun(r, 3);
    expectNamed(r, 'invalid_utf8', base(f), /line 4/);
    const v = docsOf(r);
    expect(v).toHaveLength(10);
    expect(v.filter((x) => !x.keep).map((x) => x.id)).toEqual([`${f}:11`]);
  });

  it('filter over a truncated .jsonl.zst: the documents of the intact frames get verdicts, the cut is named', async () => {
    const frames = zstdFrames([gunzipFile(real.c4[0]!), gunzipFile(real.c4[1]!)]);
    const f = await write(dir, 'filter-cut.jsonl.zst', frames.subarray(0, frames.length - 200));
    const r = await runMeasured(['filter', '--explain', f]);
    expectRun(r, 3);
    expectNamed(r, 'truncated_input', base(f), /line \d+/);
    expect(docsOf(r)).toHaveLength(10);
  });
});
