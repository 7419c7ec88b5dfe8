/**
 * karpathy/llm.c token shard export: a 1 KiB header of 256 little-endian int32 followed by the same
 * token stream as our `.bin`. Sources: karpathy/llm.c dev/data/data_common.py (`write_datafile`) and
 * llmc/dataloader.h; ../shared/design/train-runner.md §1.1.
 *
 *   int32[0] magic    20240520 (uint16 tokens, GPT-2 style) | 20240801 (uint32 tokens, Llama-3 style)
 *   int32[1] version  1 (uint16) | 7 (uint32)
 *   int32[2] ntok     token count (so at most 2^31 - 1 tokens; llm.c also casts offsets to int,
 *                     so keep a shard under 2 GiB: the default 100M tokens is 200 MB)
 *   int32[3..255]     zero
 *
 * llm.c's loader checks magic, version and `file size == 1024 + ntok * itemsize`; it has no document
 * index, so boundaries are only the EOS ids in the stream (ours follow each document; llm.c's FineWeb
 * script puts its EOT before each one, which its loader does not care about).
 */
import { promises as fs } from 'node:fs';
import { MassivetextError } from './errors.js';
import { bytesPerToken, type TokenArray, type TokenDtype } from './token-shards.js';

export const LLMC_HEADER_BYTES = 1024;
export const LLMC_MAGIC: Readonly<Record<TokenDtype, number>> = { uint16: 20240520, uint32: 20240801 };
export const LLMC_VERSION: Readonly<Record<TokenDtype, number>> = { uint16: 1, uint32: 7 };

export function encodeLlmcHeader(dtype: TokenDtype, tokens: number): Uint8Array {
  if (!Number.isInteger(tokens) || tokens < 0 || tokens > 0x7fffffff) {
    throw new MassivetextError('llmc_shard_too_large', `an llm.c shard holds at most 2^31-1 tokens (int32 count), got ${tokens}`,
      'use a smaller --shard-tokens');
  }
  const buf = new Uint8Array(LLMC_HEADER_BYTES);
  const v = new DataView(buf.buffer);
  v.setInt32(0, LLMC_MAGIC[dtype], true);
  v.setInt32(4, LLMC_VERSION[dtype], true);
  v.setInt32(8, tokens, true);
  return buf;
}

export interface LlmcHeader {
  dtype: TokenDtype;
  magic: number;
  version: number;
  tokens: number;
}

export function parseLlmcHeader(bytes: Uint8Array, file = '<llmc>'): LlmcHeader {
  if (bytes.length < LLMC_HEADER_BYTES) {
    throw new MassivetextError('bad_llmc_shard', `llm.c shard is ${bytes.length} bytes, shorter than its 1024-byte header`, '', { file, offset: bytes.length });
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, LLMC_HEADER_BYTES);
  const magic = v.getInt32(0, true);
  const version = v.getInt32(4, true);
  const dtype: TokenDtype | undefined = magic === LLMC_MAGIC.uint16 ? 'uint16' : magic === LLMC_MAGIC.uint32 ? 'uint32' : undefined;
  if (!dtype) throw new MassivetextError('bad_llmc_shard', `bad llm.c magic ${magic}`, '', { file, offset: 0 });
  if (version !== LLMC_VERSION[dtype]) throw new MassivetextError('bad_llmc_shard', `bad llm.c version ${version} for magic ${magic}`, '', { file, offset: 4 });
  return { dtype, magic, version, tokens: v.getInt32(8, true) };
}

/** Reads an llm.c shard, checking the header and the file size as llmc/dataloader.h does. */
export async function readLlmcShard(file: string): Promise<{ header: LlmcHeader; tokens: TokenArray }> {
  const bytes = await fs.readFile(file);
  const header = parseLlmcHeader(bytes, file);
  const expected = LLMC_HEADER_BYTES + header.tokens * bytesPerToken(header.dtype);
  if (bytes.length !== expected) {
    throw new MassivetextError('bad_llmc_shard', `llm.c shard has ${bytes.length} bytes, header says ${expected}`, 'the file is truncated; rewrite it', { file, offset: Math.min(bytes.length, expected) });
  }
  const body = bytes.buffer.slice(bytes.byteOffset + LLMC_HEADER_BYTES, bytes.byteOffset + bytes.length);
  return { header, tokens: header.dtype === 'uint16' ? new Uint16Array(body) : new Uint32Array(body) };
}

/**
 * True when the file has a valid llm.c header and exactly the size it declares (and, when given, that
 * token count and dtype).
 */
export async function isLlmcShardComplete(file: string, expectedTokens?: number, expectedDtype?: TokenDtype): Promise<boolean> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const head = new Uint8Array(LLMC_HEADER_BYTES);
      await fh.read(head, 0, LLMC_HEADER_BYTES, 0);
      const h = parseLlmcHeader(head, file);
      const size = (await fh.stat()).size;
      return size === LLMC_HEADER_BYTES + h.tokens * bytesPerToken(h.dtype) && (expectedTokens === undefined || h.tokens === expectedTokens)
        && (expectedDtype === undefined || h.dtype === expectedDtype);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}
