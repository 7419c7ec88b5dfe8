import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Document, type Reporter, type Source, StageStats } from '../../pipeline/index.js';
import { corpus } from '../../tests/helpers/corpora.js';
import { c4Source } from './c4-source.js';

async function collect(source: Source) {
  const stats = new StageStats(source.name);
  const warnings: { code: string; message: string; line?: number }[] = [];
  const reporter: Reporter = { progress() {}, info() {}, warn: (code, message, pos) => void warnings.push({ code, message, line: pos?.line }) };
  const docs: Document[] = [];
  for await (const d of source.read({ stats, reporter })) docs.push(d);
  return { docs, counters: stats.counters, warnings };
}

const C4_01 = corpus('c4/olmo-c4-sample.01.json.gz');
const linesOf = (f: string) => gunzipSync(readFileSync(f)).toString('utf8').split('\n').filter(Boolean);

describe('c4Source', () => {
  it('reads C4 JSON lines (gzip) keeping url and timestamp', async () => {
    const { docs, counters } = await collect(c4Source([C4_01]));
    const raw = linesOf(C4_01).map((l) => JSON.parse(l) as { text: string; url: string; date: string });
    expect(counters.in).toBe(10);
    expect(docs).toHaveLength(10);
    expect(docs[0]).toEqual({
      id: 'c4:olmo-c4-sample.01.json.gz:1', subset: 'c4', text: raw[0]!.text,
      meta: { url: 'https://www.kentlive.news/news/sevenoaks-mum-who-died-after-2582402', date: '2019-04-21T18:54:04Z', source: C4_01 },
    });
    expect(docs.map((d) => d.text)).toEqual(raw.map((r) => r.text));
  });

  it('reads a directory of files, including dolma-style records', async () => {
    const { docs } = await collect(c4Source([corpus('c4')]));
    expect(docs).toHaveLength(40);
    const dolma = docs.find((d) => d.id === 'c4:dolma-cc_en_head-0091.jsonl.gz:1')!;
    expect(dolma.meta).toMatchObject({
      url: 'http://100kinvesting.com/2016/11/28/first-teleconference-calls-invoice-factoring/', date: '2020-03-29T09:04:10Z', language: 'en',
    });
    expect(new Set(docs.map((d) => d.id)).size).toBe(40);
  });

  it('malformed lines are errors with file and line; a truncated .gz is an error; the rest is still read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mt-c4-'));
    const lines = linesOf(corpus('c4/olmo-c4-sample.02.json.gz'));
    const bad = [lines[0], '{"text": "unterminated', lines[1], '{"url": "http://x"}', '[1,2]', JSON.stringify({ text: '  ', url: 'u' }), lines[2]].join('\n');
    writeFileSync(path.join(dir, 'a.jsonl'), bad);
    const gz = gzipSync(linesOf(C4_01).join('\n'));
    writeFileSync(path.join(dir, 'b.json.gz'), gz.subarray(0, gz.length - 200));
    const { docs, counters, warnings } = await collect(c4Source([path.join(dir, 'a.jsonl'), path.join(dir, 'b.json.gz'), corpus('c4/olmo-c4-sample.03.json.gz')]));
    expect(counters['error:malformed_json']).toBe(2);
    expect(counters['error:missing_text']).toBe(1);
    expect(counters['dropped:empty']).toBe(1);
    expect(counters['error:truncated_input']).toBe(1);
    expect(warnings.find((w) => w.code === 'malformed_json')).toMatchObject({ line: 2 });
    expect(warnings.find((w) => w.code === 'malformed_json')!.message).toMatch(/a\.jsonl, line 2/);
    expect(warnings.find((w) => w.code === 'truncated_input')!.message).toMatch(/b\.json\.gz/);
    expect(docs.filter((d) => d.id.startsWith('c4:a.jsonl:')).map((d) => d.id)).toEqual(['c4:a.jsonl:1', 'c4:a.jsonl:3', 'c4:a.jsonl:7']);
    expect(docs.filter((d) => d.id.startsWith('c4:b.json.gz:')).length).toBeGreaterThan(0);
    expect(docs.filter((d) => d.id.startsWith('c4:olmo-c4-sample.03')).length).toBe(10);
  });
});
