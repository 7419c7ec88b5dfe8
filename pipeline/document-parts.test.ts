import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { readDocuments, writeDocumentPart, DocumentPartWriter } from './document-parts.js';
import type { Document } from './document.js';
import { isMassivetextError, RecordError } from './errors.js';
import { removeStaleTemps } from './atomic-file.js';

let tmp: string;
let c4: Document[];

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-parts-'));
  c4 = [];
  for await (const d of readDocuments(corpus('c4/olmo-c4-sample.01.json.gz'), { defaultSubset: 'c4' })) c4.push(d);
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('document parts', () => {
  it('round-trips real C4 documents through a zstd part, byte-stable', async () => {
    expect(c4.length).toBe(10);
    const a = path.join(tmp, 'a', 'part-00000.jsonl.zst');
    const b = path.join(tmp, 'b', 'part-00000.jsonl.zst');
    await writeDocumentPart(a, c4);
    await writeDocumentPart(b, c4);
    expect(await fs.readFile(a)).toEqual(await fs.readFile(b));
    const back: Document[] = [];
    for await (const d of readDocuments(a)) back.push(d);
    expect(back).toEqual(c4);
    expect(back[0]!.subset).toBe('c4');
    const zstd = await import('node:child_process').then((cp) => cp.spawnSync('zstd', ['-dc', a]));
    if (zstd.status === 0) expect(zstd.stdout.toString().split('\n').filter(Boolean)).toHaveLength(10);
  });

  it('names file and line of a malformed JSON line and keeps the other documents', async () => {
    const file = path.join(tmp, 'bad.jsonl');
    const lines = c4.slice(0, 3).map((d) => JSON.stringify({ id: d.id, text: d.text }));
    lines.splice(1, 0, '{"id": "broken", "text": "unterminated');
    lines.push('[1,2]', '{"id": "no-text"}');
    await fs.writeFile(file, lines.join('\n') + '\n');
    const errors: RecordError[] = [];
    const kept: string[] = [];
    for await (const d of readDocuments(file, { onError: (e) => errors.push(e) })) kept.push(d.id);
    expect(kept).toEqual(c4.slice(0, 3).map((d) => d.id));
    expect(errors.map((e) => [e.code, e.position.line])).toEqual([['malformed_json', 2], ['malformed_json', 5], ['missing_text', 6]]);
    expect(errors[0]!.describe()).toContain(`${file}, line 2`);
  });

  it('reports a truncated zstd part with the file and the last good line', async () => {
    const whole = path.join(tmp, 'whole.jsonl.zst');
    await writeDocumentPart(whole, [...c4, ...c4, ...c4]);
    const bytes = await fs.readFile(whole);
    const cut = path.join(tmp, 'cut.jsonl.zst');
    await fs.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const ids: string[] = [];
    let err: unknown;
    try {
      for await (const d of readDocuments(cut)) ids.push(d.id);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).code).toBe('truncated_input');
    expect((err as RecordError).message).toContain(cut);
  });

  it('leaves nothing half-written when a write is aborted, and cleans stale temp files', async () => {
    const dir = path.join(tmp, 'abort');
    const w = await DocumentPartWriter.open(path.join(dir, 'part-00000.jsonl.zst'));
    for (const d of c4) await w.add(d);
    await w.abort();
    expect(await fs.readdir(dir)).toEqual([]);
    await fs.writeFile(path.join(dir, 'part-00001.jsonl.zst.tmp-123-4'), 'partial');
    expect(await removeStaleTemps(tmp)).toBe(1);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('gives an unreadable_input error naming a missing file', async () => {
    const missing = path.join(tmp, 'nope.jsonl');
    await expect((async () => { for await (const _ of readDocuments(missing)) void _; })()).rejects.toMatchObject({ code: 'unreadable_input' });
  });
});

describe.skipIf(!(process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0))('document parts on a full tmpfs (root only)', () => {
  const PAGE = 4096;
  const SIZE = 128 * 1024;
  let docs: Document[];
  beforeAll(async () => {
    docs = [];
    for (const f of ['c4/olmo-c4-sample.01.json.gz', 'c4/olmo-c4-sample.02.json.gz', 'c4/olmo-c4-sample.03.json.gz', 'c4/dolma-cc_en_head-0091.jsonl.gz']) {
      for await (const d of readDocuments(corpus(f), { defaultSubset: 'c4' })) docs.push(d);
    }
  });

  async function readAll(file: string): Promise<Document[]> {
    const out: Document[] = [];
    for await (const d of readDocuments(file)) out.push(d);
    return out;
  }

  it('a kept part and a rejected part written side by side (as ingest does): each is whole or absent, at every free-space level', { timeout: 180_000 }, async () => {
    const kept = docs.filter((_, i) => i % 3 !== 0);
    const dropped = docs.filter((_, i) => i % 3 === 0);
    // the sizes the two parts take on a roomy disk
    const probe = path.join(tmp, 'probe');
    await writeDocumentPart(path.join(probe, 'k.jsonl.zst'), kept);
    await writeDocumentPart(path.join(probe, 'r.jsonl.zst'), dropped);
    const need = (await fs.stat(path.join(probe, 'k.jsonl.zst'))).size + (await fs.stat(path.join(probe, 'r.jsonl.zst'))).size;
    expect(need).toBeGreaterThan(8 * PAGE);
    expect(need).toBeLessThan(SIZE - 4 * PAGE);
    const outcomes = { ok: 0, out_of_disk: 0 };
    for (let free = 0; free <= need + 3 * PAGE; free += PAGE) {
      const mnt = await fs.mkdtemp(path.join(tmp, 'mnt-'));
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', mnt]);
      expect(m.status, m.stderr?.toString()).toBe(0);
      try {
        await fs.writeFile(path.join(mnt, 'filler'), Buffer.alloc(SIZE - free, 1));
        const k = path.join(mnt, 'ingest', 'part-00000.jsonl.zst');
        const r = path.join(mnt, 'rejected', 'part-00000.jsonl.zst');
        const kw = await DocumentPartWriter.open(k);
        const rw = await DocumentPartWriter.open(r);
        let err: unknown = null;
        try {
          for (let i = 0; i < docs.length; i++) await (i % 3 === 0 ? rw : kw).add(docs[i]!);
          await kw.commit();
          await rw.commit();
        } catch (e) {
          err = e;
          await kw.abort();
          await rw.abort();
        }
        if (err) expect(isMassivetextError(err) && err.code, String(err)).toBe('out_of_disk');
        outcomes[err ? 'out_of_disk' : 'ok']++;
        // whatever exists is complete; nothing half-written; a failed run leaves no rejected part
        for (const [file, want] of [[k, kept], [r, dropped]] as const) {
          const names = await fs.readdir(path.dirname(file));
          expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
          if (names.includes(path.basename(file))) expect((await readAll(file)).map((d) => d.id)).toEqual(want.map((d) => d.id));
        }
        if (err) expect(await fs.readdir(path.dirname(r))).toEqual([]);
      } finally {
        spawnSync('umount', ['-l', mnt]);
      }
    }
    expect(outcomes.out_of_disk).toBeGreaterThan(5);
    expect(outcomes.ok).toBeGreaterThanOrEqual(2);
  });
});
