import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { encodeLlmcHeader, isLlmcShardComplete, LLMC_HEADER_BYTES, readLlmcShard } from './token-shard-llmc.js';
import { sha256File, tokenShardEntry, TokenShardWriter } from './token-shards.js';

// Real text: Botchan (Project Gutenberg), one document per non-empty line, byte ids + 3, EOS 2.
const docs = readFileSync(corpus('books/sentencepiece-botchan.txt'), 'utf8').split('\n').filter((l) => l.trim())
  .slice(0, 300).map((l) => Uint16Array.from([...Buffer.from(l, 'utf8')].map((b) => b + 3).concat(2)));

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'token-shard-llmc-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('llm.c shards', () => {
  it('writes the header and the token stream with no index, and reads them back as llm.c checks them', async () => {
    const tokens = new Uint16Array(docs.reduce((a, d) => a + d.length, 0));
    let o = 0;
    for (const d of docs) { tokens.set(d, o); o += d.length; }
    const file = path.join(dir, 'part-00000.bin');
    const header = encodeLlmcHeader('uint16', tokens.length);
    const w = await TokenShardWriter.open(file, { vocabSize: 259, header, index: 'none', expectTokens: tokens.length });
    await w.addRawDocuments(tokens.slice(), docs.map((d) => d.length), true);
    const s = await w.commit();
    expect(s.binBytes).toBe(LLMC_HEADER_BYTES + 2 * tokens.length);
    expect(s.sha256Bin).toBe(await sha256File(file));
    expect(tokenShardEntry(s, dir)).toMatchObject({ bin: 'part-00000.bin', idx: '', idxBytes: 0, sha256Idx: '' });
    expect(await fs.readdir(dir)).toEqual(['part-00000.bin']);
    const raw = await fs.readFile(file);
    expect([raw.readInt32LE(0), raw.readInt32LE(4), raw.readInt32LE(8), raw.readInt32LE(12)]).toEqual([20240520, 1, tokens.length, 0]);
    const back = await readLlmcShard(file);
    expect(back.header).toEqual({ dtype: 'uint16', magic: 20240520, version: 1, tokens: tokens.length });
    expect(Buffer.from(back.tokens.buffer).equals(Buffer.from(tokens.buffer))).toBe(true);

    expect(await isLlmcShardComplete(file)).toBe(true);
    expect(await isLlmcShardComplete(file, tokens.length, 'uint16')).toBe(true);
    expect(await isLlmcShardComplete(file, tokens.length - 1)).toBe(false);
    expect(await isLlmcShardComplete(file, tokens.length, 'uint32')).toBe(false);
    await fs.truncate(file, 2000);
    expect(await isLlmcShardComplete(file, tokens.length)).toBe(false);
    await expect(readLlmcShard(file)).rejects.toThrow(/header says/);
  });

  it('uses the uint32 magic and version for 4-byte ids, and refuses counts past int32', () => {
    const h = Buffer.from(encodeLlmcHeader('uint32', 7));
    expect([h.readInt32LE(0), h.readInt32LE(4), h.readInt32LE(8)]).toEqual([20240801, 7, 7]);
    expect(() => encodeLlmcHeader('uint16', 2 ** 31)).toThrow(/2\^31-1/);
  });
});
