/**
 * stages/sample/shard-format.ts is a copy of the parts of tokenizer/token-shards.ts the sampler needs
 * (stages/ may not import tokenizer/). These tests pin the two to byte-identical files.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLlmcHeader as canonicalLlmcHeader, readLlmcShard } from '../../tokenizer/token-shard-llmc.js';
import {
  buildTokenManifest, encodeIdx as canonicalEncodeIdx, parseIdx as canonicalParseIdx, tokenShardEntry, TokenShardWriter, writeTokenManifest,
} from '../../tokenizer/token-shards.js';
import { BYTE_EOS, byteIds, corpusTexts } from '../../tests/python/token-corpus.js';
import { BlockShardWriter, encodeIdx, encodeLlmcHeader, isLlmcShardComplete, parseIdx, writeManifest } from './shard-format.js';

const docs = corpusTexts().c4.map((t) => Uint16Array.from([...byteIds(t), BYTE_EOS]));
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shard-format-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function concat(ds: Uint16Array[]): { tokens: Uint16Array; lengths: number[] } {
  const tokens = new Uint16Array(ds.reduce((a, d) => a + d.length, 0));
  let o = 0;
  for (const d of ds) { tokens.set(d, o); o += d.length; }
  return { tokens, lengths: ds.map((d) => d.length) };
}

describe('shard-format (sampler copy) vs tokenizer/token-shards (canonical)', () => {
  it('encodes and parses the same .idx bytes', () => {
    const lengths = docs.map((d) => d.length);
    for (const dtype of ['uint16', 'uint32'] as const) {
      const a = encodeIdx(lengths, dtype);
      expect(Buffer.from(a).equals(Buffer.from(canonicalEncodeIdx(lengths, dtype)))).toBe(true);
      const p = parseIdx(Buffer.from(a), 'x.idx');
      const q = canonicalParseIdx(a, 'x.idx');
      expect(p.dtype).toBe(q.dtype);
      expect([...p.lengths]).toEqual([...q.lengths]);
      expect([...p.pointers]).toEqual([...q.pointers]);
    }
    expect(() => parseIdx(Buffer.from('MMIDIDX\0\0'), 'x.idx')).toThrow(/shorter than the 34-byte header/);
  });

  it('writes byte-identical .bin, .idx and manifest.json', async () => {
    const a = path.join(dir, 'a', 'part-00000.bin');
    const b = path.join(dir, 'b', 'part-00000.bin');
    const c = path.join(dir, 'c', 'part-00000.bin');
    const canonical = await TokenShardWriter.open(a, { vocabSize: 259, eosId: BYTE_EOS });
    for (const d of docs) await canonical.addDocument(d.subarray(0, -1));
    const sa = await canonical.commit();
    // the canonical writer's block API, in two blocks
    const raw = await TokenShardWriter.open(c, { vocabSize: 259, eosId: BYTE_EOS });
    const h1 = concat(docs.slice(0, 11));
    const h2 = concat(docs.slice(11));
    await raw.addRawDocuments(h1.tokens, h1.lengths);
    await raw.addRawDocuments(h2.tokens, h2.lengths);
    const sc = await raw.commit();
    const copy = await BlockShardWriter.open(b, { dtype: 'uint16', index: 'megatron' });
    const { tokens, lengths } = concat(docs);
    await copy.write(tokens, lengths);
    const sb = await copy.commit();
    for (const [x, y] of [[a, b], [a, c]]) {
      expect((await fs.readFile(x)).equals(await fs.readFile(y))).toBe(true);
      expect((await fs.readFile(x.replace('.bin', '.idx'))).equals(await fs.readFile(y.replace('.bin', '.idx')))).toBe(true);
    }
    expect(sb.sha256Bin).toBe(sa.sha256Bin);
    expect(sc.sha256Idx).toBe(sa.sha256Idx);
    const meta = { subset: 'c4' };
    await writeTokenManifest(path.dirname(a), buildTokenManifest([tokenShardEntry(sa, path.dirname(a))], { vocabSize: 259, eosId: BYTE_EOS, meta }));
    await writeManifest(path.dirname(b), [sb], { vocabSize: 259, eosId: BYTE_EOS, meta });
    expect(await fs.readFile(path.join(path.dirname(b), 'manifest.json'), 'utf8')).toBe(await fs.readFile(path.join(path.dirname(a), 'manifest.json'), 'utf8'));
  });

  it('writes byte-identical llm.c shards that the canonical reader accepts', async () => {
    const a = path.join(dir, 'llmc-a.bin');
    const b = path.join(dir, 'llmc-b.bin');
    const { tokens, lengths } = concat(docs);
    const w = await TokenShardWriter.open(a, { vocabSize: 259, header: canonicalLlmcHeader('uint16', tokens.length), index: 'none', expectTokens: tokens.length });
    await w.addRawDocuments(tokens.slice(), lengths);
    const sa = await w.commit();
    expect(sa.idx).toBe('');
    const copy = await BlockShardWriter.open(b, { dtype: 'uint16', header: encodeLlmcHeader('uint16', tokens.length), index: 'none' });
    await copy.write(tokens.slice(), lengths);
    await copy.commit();
    expect((await fs.readFile(a)).equals(await fs.readFile(b))).toBe(true);
    const back = await readLlmcShard(b);
    expect(back.header).toEqual({ dtype: 'uint16', magic: 20240520, version: 1, tokens: tokens.length });
    expect([...back.tokens.subarray(0, 5)]).toEqual([...tokens.subarray(0, 5)]);
    expect(await isLlmcShardComplete(b, 'uint16', tokens.length)).toBe(true);
    expect(await isLlmcShardComplete(b, 'uint16', tokens.length - 1)).toBe(false);
    await fs.truncate(b, 2000);
    expect(await isLlmcShardComplete(b, 'uint16', tokens.length)).toBe(false);
    await expect(readLlmcShard(b)).rejects.toThrow(/header says/);
  });

  it('refuses a token count that does not match the header it promised', async () => {
    const w = await TokenShardWriter.open(path.join(dir, 'short.bin'), { vocabSize: 259, header: canonicalLlmcHeader('uint16', 10), index: 'none', expectTokens: 10 });
    await w.addRawDocuments(Uint16Array.of(5, 6, 2), [3]);
    await expect(w.commit()).rejects.toThrow(/3 tokens written but the header states 10/);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('short'))).toEqual([]);
  });
});
