import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDocumentPart } from '../../../pipeline/document-parts.js';
import { readLines } from '../../../pipeline/lines.js';
import type { Document } from '../../../pipeline/document.js';
import { corpus } from '../../../tests/helpers/corpora.js';
import { readRemoved } from '../common/read-removed.js';
import { clusterExact, computeExactKeys, exactDedup, filterExact, mergeExactKeys } from './exact-dedup.js';
import { normaliseUrl, textKey } from './exact-keys.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-exact-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function c4Docs(): Promise<Document[]> {
  const out: Document[] = [];
  for (const f of ['c4/olmo-c4-sample.01.json.gz', 'c4/olmo-c4-sample.02.json.gz', 'c4/olmo-c4-sample.03.json.gz']) {
    for await (const { text, line } of readLines(corpus(f))) {
      const raw = JSON.parse(text) as { text: string; url: string };
      out.push({ id: `${path.basename(f)}:${line}`, subset: 'c4', text: raw.text, meta: { url: raw.url } });
    }
  }
  return out;
}

const key = (t: string) => Array.from((() => { const k = new Uint32Array(4); textKey(t, k); return k; })());

describe('exact keys', () => {
  it('ignore whitespace runs and Unicode composition, but not case or punctuation', () => {
    expect(key('  Hello,\n\n  world\t')).toEqual(key('Hello, world'));
    expect(key('caf\u00e9')).toEqual(key('cafe\u0301'));
    expect(key('Hello, world')).not.toEqual(key('hello, world'));
    expect(key('Hello, world')).not.toEqual(key('Hello world'));
    expect(key('')).toEqual(key(' \n '));
  });

  it('normalise URLs: scheme and host case, default port, fragment, lone trailing slash', () => {
    expect(normaliseUrl('HTTP://Example.COM:80/#top')).toBe('http://example.com');
    expect(normaliseUrl('https://example.com/a/b?x=1#frag')).toBe('https://example.com/a/b?x=1');
    expect(normaliseUrl('https://example.com/A')).not.toBe(normaliseUrl('https://example.com/a'));
    expect(normaliseUrl(' not a url ')).toBe('not a url');
  });
});

describe('exact dedup across parts of a subset (real C4 documents)', () => {
  it('drops later copies (whitespace-changed text, same URL) and keeps the first in (part, line) order', async () => {
    const base = await c4Docs();
    expect(base.length).toBeGreaterThanOrEqual(30);
    const p0 = base.slice(0, 15);
    const p1: Document[] = [
      ...base.slice(15),
      { ...base[3]!, id: 'copy-of-3', text: base[3]!.text.replace(/ /g, '  ').replace(/\n/g, '\n\n'), meta: {} },
      { ...base[20]!, id: 'copy-of-20', meta: { url: 'https://elsewhere.example/x' } },
    ];
    const p2: Document[] = [
      { ...base[5]!, id: 'same-url-as-5', text: base[5]!.text + '\nUpdated: a later crawl of the same page.' },
      { ...base[3]!, id: 'second-copy-of-3', meta: {} },
      { id: 'empty-a', subset: 'c4', text: '', meta: {} },
      { id: 'empty-b', subset: 'c4', text: '   ', meta: {} },
    ];
    const parts = [path.join(tmp, 'a.jsonl.zst'), path.join(tmp, 'b.jsonl.zst'), path.join(tmp, 'c.jsonl.zst')];
    await writeDocumentPart(parts[0]!, p0);
    await writeDocumentPart(parts[1]!, p1);
    await writeDocumentPart(parts[2]!, p2);

    const r = await exactDedup({ parts, workDir: path.join(tmp, 'w'), outDir: path.join(tmp, 'o') });
    const removed = await readRemoved<{ id: string; reason: string; duplicate_of: string }>(path.join(tmp, 'w'), 3);
    const byId = Object.fromEntries(removed.map((x) => [x.id, x]));
    expect(Object.keys(byId).sort()).toEqual(['copy-of-20', 'copy-of-3', 'empty-b', 'same-url-as-5', 'second-copy-of-3']);
    expect(byId['copy-of-3']).toMatchObject({ reason: 'exact_duplicate', duplicate_of: base[3]!.id });
    expect(byId['second-copy-of-3']).toMatchObject({ reason: 'exact_duplicate', duplicate_of: base[3]!.id });
    expect(byId['copy-of-20']).toMatchObject({ reason: 'exact_duplicate', duplicate_of: base[20]!.id });
    expect(byId['same-url-as-5']).toMatchObject({ reason: 'duplicate_url', duplicate_of: base[5]!.id });
    expect(byId['empty-b']).toMatchObject({ reason: 'exact_duplicate', duplicate_of: 'empty-a' });
    expect(r.filter).toMatchObject({ in: base.length + 6, kept: base.length + 1, 'dropped:exact_duplicate': 4, 'dropped:duplicate_url': 1 });
    expect(r.clusters.histogram).toEqual({ '2': 3, '3': 1 });
    expect(readdirSync(path.join(tmp, 'o')).sort()).toEqual(['part-00000.jsonl.zst', 'part-00001.jsonl.zst', 'part-00002.jsonl.zst']);

    // URL dedup off: only text copies go.
    const r2 = await exactDedup({ parts, workDir: path.join(tmp, 'w2'), outDir: path.join(tmp, 'o2'), options: { urls: false } });
    expect(r2.filter['dropped:exact_duplicate']).toBe(4);
    expect(r2.filter['dropped:duplicate_url']).toBeUndefined();

    // Split into tasks, with the key phase spilling several runs per part: same removals.
    const w3 = path.join(tmp, 'w3');
    for (let t = 0; t < 2; t++) await computeExactKeys({ parts, workDir: w3, task: t, tasks: 2, options: { maxRunDocs: 4 } });
    for (let t = 0; t < 2; t++) await mergeExactKeys({ parts: 3, workDir: w3, task: t, tasks: 2 });
    await clusterExact({ parts: 3, workDir: w3 });
    for (let t = 0; t < 2; t++) await filterExact({ parts, workDir: w3, outDir: path.join(tmp, 'o3'), task: t, tasks: 2 });
    expect(await readRemoved(w3, 3)).toEqual(removed);
  });
});
