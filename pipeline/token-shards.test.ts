import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { runPythonReader, skipPythonReaders } from '../tests/python/python-readers.js';
import {
  IDX_HEADER_BYTES, TokenShardSetWriter, TokenShardWriter, buildTokenManifest, encodeIdx, idxPathFor, isTokenShardComplete, parseIdx,
  readIdx, readIdxLengthsSync, readIdxPointersSync, readIdxWithSha256, readTokenManifest, readTokenShard, sha256File, tokenDtypeFor,
  tokenShardEntry, writeTokenManifest,
} from './token-shards.js';

/** A trivial deterministic byte-level "tokenizer" (the real one is tokenizer/'s): id = byte + offset. */
function byteIds(text: string, offset: number): number[] {
  return [...Buffer.from(text, 'utf8')].map((b) => b + offset);
}

// Real text: Botchan (Project Gutenberg), one document per non-empty line.
const lines = readFileSync(corpus('books/sentencepiece-botchan.txt'), 'utf8').split('\n').filter((l) => l.trim().length > 0);
const EOS = 2;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'token-shards-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('tokenDtypeFor', () => {
  it('uses uint16 up to 65,536 pieces and 4-byte ids above', () => {
    expect(tokenDtypeFor(32000)).toBe('uint16');
    expect(tokenDtypeFor(65536)).toBe('uint16');
    expect(tokenDtypeFor(65537)).toBe('uint32');
    expect(() => tokenDtypeFor(0)).toThrow(/positive integer/);
  });
});

describe('encodeIdx', () => {
  it('lays out header, lengths, byte pointers and document indices as Megatron does', () => {
    const idx = encodeIdx([3, 1, 5], 'uint16');
    expect(Buffer.from(idx.subarray(0, 9)).toString('latin1')).toBe('MMIDIDX\0\0');
    const v = new DataView(idx.buffer);
    expect(v.getBigUint64(9, true)).toBe(1n);
    expect(v.getUint8(17)).toBe(8);
    expect(v.getBigUint64(18, true)).toBe(3n);
    expect(v.getBigUint64(26, true)).toBe(4n);
    expect([0, 1, 2].map((i) => v.getInt32(34 + 4 * i, true))).toEqual([3, 1, 5]);
    expect([0, 1, 2].map((i) => v.getBigInt64(46 + 8 * i, true))).toEqual([0n, 6n, 8n]);
    expect([0, 1, 2, 3].map((i) => v.getBigInt64(70 + 8 * i, true))).toEqual([0n, 1n, 2n, 3n]);
    expect(idx.byteLength).toBe(IDX_HEADER_BYTES + 12 * 3 + 8 * 4);
    const back = parseIdx(idx);
    expect([...back.lengths]).toEqual([3, 1, 5]);
    expect([...back.pointers]).toEqual([0, 6, 8]);
    expect(encodeIdx([3], 'uint32')[17]).toBe(4);
  });

  it('writes and reads int64 pointers past 2^32 exactly (no BigInt on the hot path)', () => {
    // three documents of 2^31-1 four-byte tokens: the last pointer is ~1.7e10 bytes
    const lengths = [0x7fffffff, 0x7fffffff, 0x7fffffff];
    const idx = encodeIdx(lengths, 'uint32');
    const v = new DataView(idx.buffer);
    const expected = [0n, 4n * 0x7fffffffn, 8n * 0x7fffffffn];
    expect([0, 1, 2].map((i) => v.getBigInt64(IDX_HEADER_BYTES + 12 + 8 * i, true))).toEqual(expected);
    expect([...parseIdx(idx).pointers]).toEqual(expected.map(Number));
    const file = path.join(dir, 'wide-pointers.idx');
    writeFileSync(file, idx);
    expect([...readIdxPointersSync(file, 3)]).toEqual(expected.map(Number));
    expect(readIdxLengthsSync(file)).toEqual({ dtype: 'uint32', bytesPerToken: 4, lengths: Int32Array.from(lengths), tokens: 3 * 0x7fffffff });
  });

  it('reads only the lengths, or the index with its sha256, as readIdx does', async () => {
    const lengths = lines.slice(0, 200).map((l) => Buffer.byteLength(l) + 1);
    const idx = encodeIdx(lengths, 'uint16');
    const file = path.join(dir, 'lengths-only.idx');
    writeFileSync(file, idx);
    const full = await readIdx(file);
    const quick = readIdxLengthsSync(file);
    expect(quick.dtype).toBe('uint16');
    expect(quick.bytesPerToken).toBe(2);
    expect(quick.lengths).toEqual(full.lengths);
    expect(quick.tokens).toBe(lengths.reduce((a, b) => a + b, 0));
    expect(readIdxPointersSync(file, 200)).toEqual(full.pointers);
    const withSha = await readIdxWithSha256(file);
    expect(withSha.idx).toEqual(full);
    expect(withSha.sha256).toBe(await sha256File(file));
    // the same errors, naming the file
    writeFileSync(file, idx.subarray(0, IDX_HEADER_BYTES + 10));
    expect(() => readIdxLengthsSync(file)).toThrow(expect.objectContaining({ code: 'bad_token_index', message: expect.stringContaining(file) }));
    const bad = idx.slice(); bad[0] = 0;
    writeFileSync(file, bad);
    expect(() => readIdxLengthsSync(file)).toThrow(/bad magic/);
    expect(() => readIdxLengthsSync(path.join(dir, 'absent.idx'))).toThrow(expect.objectContaining({ code: 'missing_token_index' }));
  });

  it('rejects a bad magic, version, dtype and a truncated index, naming the byte', () => {
    const idx = encodeIdx([3, 1, 5], 'uint16');
    const badMagic = idx.slice(); badMagic[2] = 0x58;
    expect(() => parseIdx(badMagic, 'x.idx')).toThrow(/bad magic/);
    const badVersion = idx.slice(); badVersion[9] = 2;
    expect(() => parseIdx(badVersion, 'x.idx')).toThrow(/version 2/);
    const badDtype = idx.slice(); badDtype[17] = 6;
    expect(() => parseIdx(badDtype, 'x.idx')).toThrow(/dtype code 6/);
    try {
      parseIdx(idx.subarray(0, idx.length - 3), 'x.idx');
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('bad_token_index');
      expect((e as { position: { file: string; offset: number } }).position).toEqual({ file: 'x.idx', offset: idx.length - 3 });
    }
  });
});

describe('TokenShardWriter', () => {
  it('streams real text into a .bin + .idx that read back document by document', async () => {
    const bin = path.join(dir, 'botchan', 'part-00000.bin');
    // a tiny chunk forces flushes in the middle of documents
    const w = await TokenShardWriter.open(bin, { vocabSize: 259, eosId: EOS, chunkBytes: 4096 });
    const docs = lines.map((l) => byteIds(l, 3));
    for (const d of docs) await w.addDocument(Uint16Array.from(d));
    // nothing visible before commit
    await expect(fs.stat(bin)).rejects.toThrow();
    const s = await w.commit();
    const total = docs.reduce((a, d) => a + d.length + 1, 0);
    expect(s.documents).toBe(lines.length);
    expect(s.tokens).toBe(total);
    expect(s.binBytes).toBe(2 * total);
    expect((await fs.stat(bin)).size).toBe(2 * total);
    expect(s.sha256Bin).toBe(await sha256File(bin));
    expect(s.sha256Idx).toBe(await sha256File(idxPathFor(bin)));
    expect(await fs.readdir(path.dirname(bin))).toEqual(['part-00000.bin', 'part-00000.idx']);

    const shard = await readTokenShard(bin);
    expect(shard.dtype).toBe('uint16');
    expect(shard.documents).toBe(docs.length);
    expect(shard.tokenCount).toBe(total);
    for (const i of [0, 1, 100, docs.length - 1]) {
      expect([...shard.document(i)]).toEqual([...docs[i], EOS]);
    }
    // the bytes are little-endian uint16: decoding them back gives the original text
    const raw = await fs.readFile(bin);
    const first = Buffer.from([...shard.document(0)].slice(0, -1).map((t) => t - 3)).toString('utf8');
    expect(first).toBe(lines[0]);
    expect(raw.readUInt16LE(0)).toBe(docs[0][0]);
    expect(await isTokenShardComplete(bin)).toBe(true);
  });

  it('writes 4-byte ids when the vocabulary exceeds 65,536', async () => {
    const bin = path.join(dir, 'wide', 'part-00000.bin');
    const w = await TokenShardWriter.open(bin, { vocabSize: 70000, eosId: 69999 });
    const docs = lines.slice(0, 50).map((l) => byteIds(l, 65536));
    for (const d of docs) await w.addDocument(d);
    const s = await w.commit();
    expect(s.binBytes).toBe(4 * s.tokens);
    const idx = await readIdx(idxPathFor(bin));
    expect(idx.dtypeCode).toBe(4);
    const shard = await readTokenShard(bin);
    expect(shard.tokens).toBeInstanceOf(Uint32Array);
    expect([...shard.document(3)]).toEqual([...docs[3], 69999]);
  });

  it('rejects an id outside the vocabulary and leaves nothing behind on abort', async () => {
    const bin = path.join(dir, 'bad', 'part-00000.bin');
    const w = await TokenShardWriter.open(bin, { vocabSize: 259, eosId: EOS });
    await w.addDocument(byteIds(lines[0], 3));
    await expect(w.addDocument([5, 259])).rejects.toThrow(/token id 259 at position 1 of document 1/);
    await w.abort();
    expect(await fs.readdir(path.dirname(bin))).toEqual([]);
  });

  it('detects a .bin without its .idx and a .bin that disagrees with its .idx', async () => {
    const src = path.join(dir, 'botchan', 'part-00000.bin');
    const d2 = path.join(dir, 'broken');
    await fs.mkdir(d2, { recursive: true });
    await fs.copyFile(src, path.join(d2, 'part-00000.bin'));
    expect(await isTokenShardComplete(path.join(d2, 'part-00000.bin'))).toBe(false);
    await expect(readTokenShard(path.join(d2, 'part-00000.bin'))).rejects.toThrow(/cannot read token index/);
    await fs.copyFile(idxPathFor(src), path.join(d2, 'part-00000.idx'));
    await fs.truncate(path.join(d2, 'part-00000.bin'), 1000);
    expect(await isTokenShardComplete(path.join(d2, 'part-00000.bin'))).toBe(false);
    await expect(readTokenShard(path.join(d2, 'part-00000.bin'))).rejects.toThrow(/the .idx covers \d+ bytes but the .bin has 1000/);
  });
});

describe('TokenShardWriter blocks (addRawDocuments)', () => {
  const docs = lines.slice(0, 400).map((l) => Uint16Array.from([...byteIds(l, 3), EOS]));
  function concat(ds: Uint16Array[]): { tokens: Uint16Array; lengths: number[] } {
    const tokens = new Uint16Array(ds.reduce((a, d) => a + d.length, 0));
    let o = 0;
    for (const d of ds) { tokens.set(d, o); o += d.length; }
    return { tokens, lengths: ds.map((d) => d.length) };
  }

  it('writes the same .bin, .idx and manifest from blocks of whole documents as document by document', async () => {
    const a = path.join(dir, 'blocks-a', 'part-00000.bin');
    const b = path.join(dir, 'blocks-b', 'part-00000.bin');
    const one = await TokenShardWriter.open(a, { vocabSize: 259, eosId: EOS });
    for (const d of docs) await one.addDocument(d.subarray(0, -1));
    const sa = await one.commit();
    // small blocks are buffered, a block larger than the chunk goes to the file as it is
    const blocks = await TokenShardWriter.open(b, { vocabSize: 259, chunkBytes: 8192, expectTokens: sa.tokens });
    for (const [from, to] of [[0, 3], [3, 250], [250, 251], [251, 400]]) {
      const { tokens, lengths } = concat(docs.slice(from, to));
      await blocks.addRawDocuments(tokens, lengths, true);
    }
    const sb = await blocks.commit();
    expect((await fs.readFile(b)).equals(await fs.readFile(a))).toBe(true);
    expect((await fs.readFile(idxPathFor(b))).equals(await fs.readFile(idxPathFor(a)))).toBe(true);
    expect({ ...sb, bin: '', idx: '' }).toEqual({ ...sa, bin: '', idx: '' });
    const ea = tokenShardEntry(sa, path.dirname(a));
    expect(ea.bin).toBe('part-00000.bin');
    expect(ea.idx).toBe('part-00000.idx');
    expect(tokenShardEntry(sb, path.dirname(b))).toEqual(ea);
    await writeTokenManifest(path.dirname(a), buildTokenManifest([ea], { vocabSize: 259, eosId: EOS, meta: { subset: 'books' } }));
    expect((await readTokenManifest(path.dirname(a))).shards).toEqual([ea]);
  });

  it('refuses blocks whose lengths or width do not match, and a total the header did not promise', async () => {
    const w = await TokenShardWriter.open(path.join(dir, 'blocks-bad', 'part-00000.bin'), { vocabSize: 259, expectTokens: 10 });
    await expect(w.addRawDocuments(Uint16Array.of(5, 6, 2), [2])).rejects.toThrow(/lengths sum to 2 but 3 tokens/);
    await expect(w.addRawDocuments(Uint32Array.of(5, 6, 2), [3])).rejects.toThrow(/width/);
    await expect(w.addRawDocuments(Uint16Array.of(5, 600, 2), [3])).rejects.toThrow(/token id 600/);
    await w.addRawDocuments(Uint16Array.of(5, 6, 2), [3]);
    await expect(w.commit()).rejects.toThrow(/3 tokens written but the header states 10/);
    expect(await fs.readdir(path.join(dir, 'blocks-bad'))).toEqual([]);
  });
});

describe('TokenShardWriter calls that are not awaited', () => {
  it('keeps call order when addDocument is not awaited across many chunk flushes (as the build encode step calls it)', async () => {
    const docs = lines.map((l) => Uint16Array.from(byteIds(l, 3)));
    const a = path.join(dir, 'unawaited-a', 'part-00000.bin');
    const b = path.join(dir, 'unawaited-b', 'part-00000.bin');
    const one = await TokenShardWriter.open(a, { vocabSize: 259, eosId: EOS, chunkBytes: 8192 });
    for (const d of docs) await one.addDocument(d);
    const sa = await one.commit();
    const fire = await TokenShardWriter.open(b, { vocabSize: 259, eosId: EOS, chunkBytes: 8192 });
    for (const d of docs) void fire.addDocument(d);
    const sb = await fire.commit();
    expect(sa.binBytes).toBeGreaterThan(10 * 8192);
    expect((await fs.readFile(b)).equals(await fs.readFile(a))).toBe(true);
    expect((await fs.readFile(idxPathFor(b))).equals(await fs.readFile(idxPathFor(a)))).toBe(true);
    expect(sb.sha256Bin).toBe(sa.sha256Bin);
    // a bad id rejects that call at once and the writer carries on
    const w = await TokenShardWriter.open(path.join(dir, 'unawaited-c', 'part-00000.bin'), { vocabSize: 259, eosId: EOS });
    await expect(w.addDocument([5, 900])).rejects.toMatchObject({ code: 'token_out_of_range' });
    void w.addDocument([5, 6]);
    expect((await w.commit()).tokens).toBe(3);
  });
});

describe('TokenShardWriter stream pieces (writeTokens + addLengths)', () => {
  const docs = lines.slice(0, 300).map((l) => Uint16Array.from([...byteIds(l, 3), EOS]));

  it('writes the same files from two buffers refilled in turn, cutting documents anywhere, as document by document', async () => {
    const a = path.join(dir, 'pieces-a', 'part-00000.bin');
    const b = path.join(dir, 'pieces-b', 'part-00000.bin');
    const one = await TokenShardWriter.open(a, { vocabSize: 259, eosId: EOS });
    for (const d of docs) await one.addDocument(d.subarray(0, -1));
    const sa = await one.commit();
    const stream = new Uint16Array(docs.reduce((n, d) => n + d.length, 0));
    let o = 0;
    for (const d of docs) { stream.set(d, o); o += d.length; }
    // 37-token buffers: documents start and end mid-buffer; each buffer is refilled as soon as
    // the next writeTokens call has returned
    const bufs = [new Uint16Array(37), new Uint16Array(37)];
    const w = await TokenShardWriter.open(b, { vocabSize: 259, expectTokens: stream.length });
    for (let at = 0, turn = 0; at < stream.length; at += 37, turn ^= 1) {
      const piece = stream.subarray(at, at + 37);
      bufs[turn].set(piece);
      await w.writeTokens(bufs[turn].subarray(0, piece.length));
    }
    w.addLengths(docs.map((d) => d.length));
    await w.drain();
    bufs[0].fill(0);
    bufs[1].fill(0);
    const sb = await w.commit();
    expect((await fs.readFile(b)).equals(await fs.readFile(a))).toBe(true);
    expect((await fs.readFile(idxPathFor(b))).equals(await fs.readFile(idxPathFor(a)))).toBe(true);
    expect({ ...sb, bin: '', idx: '' }).toEqual({ ...sa, bin: '', idx: '' });
    expect(sb.sha256Bin).toBe(await sha256File(b));
  });

  it('refuses lengths that do not add up to the tokens written, and a width that is not the dtype', async () => {
    const w = await TokenShardWriter.open(path.join(dir, 'pieces-bad', 'part-00000.bin'), { vocabSize: 259 });
    await expect(w.writeTokens(Uint32Array.of(5, 6, 2))).rejects.toThrow(/width/);
    await w.writeTokens(Uint16Array.of(5, 6, 2, 7, 2));
    w.addLengths([3]);
    await expect(w.commit()).rejects.toThrow(/byte count mismatch/);
    await w.abort();
    expect(await fs.readdir(path.join(dir, 'pieces-bad'))).toEqual([]);
  });
});

describe('TokenShardSetWriter', () => {
  it('rolls shards at the token budget, never splitting a document, and writes the manifest last', async () => {
    const out = path.join(dir, 'set', 'books');
    const sw = new TokenShardSetWriter(out, { vocabSize: 259, eosId: EOS, shardTokens: 60_000, meta: { subset: 'books' } });
    for (const l of lines) await sw.addDocument(byteIds(l, 3));
    const m = await sw.finish();
    const expectedTokens = lines.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0);
    expect(m.tokens).toBe(expectedTokens);
    expect(m.documents).toBe(lines.length);
    expect(m.shards.length).toBe(Math.ceil(expectedTokens / 60_000) + (expectedTokens % 60_000 === 0 ? 0 : 0));
    expect(m.shards.map((s) => s.bin)).toEqual(m.shards.map((_, i) => `part-${String(i).padStart(5, '0')}.bin`));
    for (const s of m.shards.slice(0, -1)) expect(s.tokens).toBeGreaterThanOrEqual(60_000);
    const back = await readTokenManifest(out);
    expect(back).toEqual(m);
    expect(back.meta).toEqual({ subset: 'books' });
    for (const s of m.shards) {
      expect(await sha256File(path.join(out, s.bin))).toBe(s.sha256Bin);
      expect(createHash('sha256').update(await fs.readFile(path.join(out, s.idx))).digest('hex')).toBe(s.sha256Idx);
    }
    // documents concatenated across shards are the input in order
    let k = 0;
    for (const s of m.shards) {
      const shard = await readTokenShard(path.join(out, s.bin));
      for (let i = 0; i < shard.documents; i++, k++) {
        expect(shard.lengths[i]).toBe(Buffer.byteLength(lines[k]) + 1);
      }
    }
    expect(k).toBe(lines.length);
  });
});

describe.skipIf(skipPythonReaders)('python readers (numpy.memmap, Megatron IndexedDataset layout)', () => {
  it('reads the uint16 and the uint32 shards with the counts, boundaries and tokens we wrote', async () => {
    const narrow = path.join(dir, 'botchan', 'part-00000.bin');
    const wide = path.join(dir, 'wide', 'part-00000.bin');
    const r = runPythonReader('megatron', [narrow], EOS).files[0];
    const shard = await readTokenShard(narrow);
    expect(r.dtype).toBe('uint16');
    expect(r.dtype_code).toBe(8);
    expect(r.documents).toBe(lines.length);
    expect(r.tokens).toBe(shard.tokenCount);
    expect(r.eos_after_every_document).toBe(true);
    expect(r.lengths).toEqual([...shard.lengths]);
    expect(r.first).toEqual(lines.map((l) => Buffer.from(l)[0] + 3));
    expect(r.tokens_sha256_u32).toBe(createHash('sha256').update(new Uint8Array(Uint32Array.from(shard.tokens).buffer)).digest('hex'));

    const rw = runPythonReader('megatron', [wide], 69999).files[0];
    expect(rw.dtype).toBe('int32');
    expect(rw.documents).toBe(50);
    expect(rw.eos_after_every_document).toBe(true);
    expect(rw.first).toEqual(lines.slice(0, 50).map((l) => Buffer.from(l)[0] + 65536));
  });
});
