/**
 * The token shard layout as the sampler reads and writes it. stages/ may not import tokenizer/, so this
 * is a lean copy of the parts of tokenizer/token-shards.ts (the canonical writer/reader) and
 * tokenizer/token-shard-llmc.ts that sampling needs; shard-format.test.ts checks that both write
 * byte-identical .bin, .idx and manifest files. (Both belong in pipeline/; see the report.)
 *
 * `.bin`: little-endian token ids, uint16 (vocabulary <= 65,536) or 4-byte; EOS after every document.
 * `.idx`: Megatron-LM MMIDIDX (megatron/core/datasets/indexed_dataset.py): "MMIDIDX\0\0", uint64 1,
 *   uint8 dtype code (8 uint16, 4 int32), uint64 S, uint64 S+1, int32 lengths[S], int64 byte
 *   pointers[S], int64 document indices 0..S.
 * llm.c export (karpathy/llm.c dev/data/data_common.py, llmc/dataloader.h): 256 int32 header
 *   (20240520/1 for uint16, 20240801/7 for uint32, token count), then the same token stream.
 */
import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError, tempNameFor, writeFileAtomic } from '../../pipeline/index.js';

export type TokenDtype = 'uint16' | 'uint32';
export type TokenArray = Uint16Array | Uint32Array;

const MAGIC = 'MMIDIDX\0\0';
const IDX_HEADER = 34;
const CODE: Record<TokenDtype, number> = { uint16: 8, uint32: 4 };
const DTYPE_OF: Record<number, TokenDtype> = { 8: 'uint16', 4: 'uint32' };
export const LLMC_HEADER_BYTES = 1024;
const LLMC: Record<TokenDtype, [number, number]> = { uint16: [20240520, 1], uint32: [20240801, 7] };
export const MANIFEST_FORMAT = 'massivetext-token-shards';

export function bytesPerToken(dtype: TokenDtype): 2 | 4 {
  return dtype === 'uint16' ? 2 : 4;
}

export function tokenPartName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

export function idxPathFor(binPath: string): string {
  return binPath.endsWith('.bin') ? binPath.slice(0, -4) + '.idx' : binPath + '.idx';
}

export function encodeIdx(lengths: ArrayLike<number>, dtype: TokenDtype): Uint8Array {
  const s = lengths.length;
  const buf = Buffer.alloc(IDX_HEADER + 12 * s + 8 * (s + 1));
  buf.write(MAGIC, 0, 'latin1');
  buf.writeBigUInt64LE(1n, 9);
  buf.writeUInt8(CODE[dtype], 17);
  buf.writeBigUInt64LE(BigInt(s), 18);
  buf.writeBigUInt64LE(BigInt(s + 1), 26);
  let o = IDX_HEADER;
  for (let i = 0; i < s; i++, o += 4) buf.writeInt32LE(lengths[i], o);
  let ptr = 0;
  const item = bytesPerToken(dtype);
  for (let i = 0; i < s; i++, o += 8) {
    buf.writeBigInt64LE(BigInt(ptr), o);
    ptr += lengths[i] * item;
  }
  for (let i = 0; i <= s; i++, o += 8) buf.writeBigInt64LE(BigInt(i), o);
  return buf;
}

export interface Idx {
  dtype: TokenDtype;
  lengths: Int32Array;
  /** Byte offsets into the .bin. */
  pointers: Float64Array;
}

export function parseIdx(bytes: Buffer, file: string): Idx {
  const bad = (offset: number, msg: string) =>
    new MassivetextError('bad_token_index', `${file}: ${msg}`, 'the .idx beside each .bin must be a Megatron MMIDIDX index; rebuild the shards', { file, offset });
  if (bytes.length < IDX_HEADER) throw bad(bytes.length, `only ${bytes.length} bytes, shorter than the 34-byte header`);
  if (bytes.toString('latin1', 0, 9) !== MAGIC) throw bad(0, 'bad magic (expected "MMIDIDX\\0\\0")');
  if (bytes.readBigUInt64LE(9) !== 1n) throw bad(9, `unsupported version ${bytes.readBigUInt64LE(9)}`);
  const dtype = DTYPE_OF[bytes[17]];
  if (!dtype) throw bad(17, `unsupported dtype code ${bytes[17]} (8 = uint16, 4 = int32)`);
  const s = Number(bytes.readBigUInt64LE(18));
  const d = Number(bytes.readBigUInt64LE(26));
  if (IDX_HEADER + 12 * s + 8 * d > bytes.length) throw bad(bytes.length, `declares ${s} sequences but the file has ${bytes.length} bytes`);
  const lengths = new Int32Array(s);
  const pointers = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    lengths[i] = bytes.readInt32LE(IDX_HEADER + 4 * i);
    if (lengths[i] < 0) throw bad(IDX_HEADER + 4 * i, `document ${i} has negative length ${lengths[i]}`);
  }
  for (let i = 0; i < s; i++) pointers[i] = Number(bytes.readBigInt64LE(IDX_HEADER + 4 * s + 8 * i));
  return { dtype, lengths, pointers };
}

export async function readIdxFile(file: string): Promise<{ idx: Idx; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new MassivetextError('missing_token_index', `cannot read ${file}: ${(e as Error).message}`,
      'a .bin without its .idx is an unfinished shard; re-run the step that writes it', { file }, { cause: e });
  }
  return { idx: parseIdx(bytes, file), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Same fields as tokenizer/token-shards.ts `TokenShardEntry`. */
export interface ShardEntry {
  bin: string;
  idx: string;
  tokens: number;
  documents: number;
  binBytes: number;
  idxBytes: number;
  sha256Bin: string;
  sha256Idx: string;
}

/** Same fields as tokenizer/token-shards.ts `TokenManifest`. */
export interface TokenManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  dtype: TokenDtype;
  byteOrder: 'little';
  megatronDtypeCode: number;
  vocabSize: number;
  eosId: number | null;
  tokens: number;
  documents: number;
  shards: ShardEntry[];
  meta?: Record<string, unknown>;
}

export function dtypeForVocab(vocabSize: number): TokenDtype {
  return vocabSize <= 65536 ? 'uint16' : 'uint32';
}

export async function readManifest(dir: string): Promise<TokenManifest> {
  const file = path.join(dir, 'manifest.json');
  let m: TokenManifest;
  try {
    m = JSON.parse(await fs.readFile(file, 'utf8')) as TokenManifest;
  } catch (e) {
    throw new MassivetextError('bad_token_manifest', `cannot read the token manifest ${file}: ${(e as Error).message}`,
      'token shards are written by `massivetext build` (tokens/<subset>/manifest.json is written last)', { file }, { cause: e });
  }
  if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.shards) || (m.dtype !== 'uint16' && m.dtype !== 'uint32')) {
    throw new MassivetextError('bad_token_manifest', `${file} is not a ${MANIFEST_FORMAT} manifest`, 'rebuild the shards', { file });
  }
  return m;
}

export async function writeManifest(dir: string, shards: ShardEntry[], o: { vocabSize: number; eosId: number | null; meta?: Record<string, unknown> }): Promise<TokenManifest> {
  const dtype = dtypeForVocab(o.vocabSize);
  const m: TokenManifest = {
    format: MANIFEST_FORMAT, version: 1, dtype, byteOrder: 'little', megatronDtypeCode: CODE[dtype], vocabSize: o.vocabSize, eosId: o.eosId,
    tokens: shards.reduce((a, s) => a + s.tokens, 0), documents: shards.reduce((a, s) => a + s.documents, 0),
    shards: [...shards].sort((a, b) => (a.bin < b.bin ? -1 : a.bin > b.bin ? 1 : 0)),
  };
  if (o.meta) m.meta = o.meta;
  await writeFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
  return m;
}

export function encodeLlmcHeader(dtype: TokenDtype, tokens: number): Uint8Array {
  if (!Number.isInteger(tokens) || tokens < 0 || tokens > 0x7fffffff) {
    throw new MassivetextError('llmc_shard_too_large', `an llm.c shard holds at most 2^31-1 tokens (int32 count), got ${tokens}`, 'use a smaller --shard-tokens');
  }
  const b = Buffer.alloc(LLMC_HEADER_BYTES);
  b.writeInt32LE(LLMC[dtype][0], 0);
  b.writeInt32LE(LLMC[dtype][1], 4);
  b.writeInt32LE(tokens, 8);
  return b;
}

/** True when the file has the llm.c header for `dtype` and `tokens`, and exactly that size. */
export async function isLlmcShardComplete(file: string, dtype: TokenDtype, tokens: number): Promise<boolean> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const head = Buffer.alloc(12);
      await fh.read(head, 0, 12, 0);
      return head.readInt32LE(0) === LLMC[dtype][0] && head.readInt32LE(4) === LLMC[dtype][1] && head.readInt32LE(8) === tokens
        && (await fh.stat()).size === LLMC_HEADER_BYTES + tokens * bytesPerToken(dtype);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** Writes a shard from blocks of whole documents: .bin (hashed while written, fsync, rename), then .idx. */
export class BlockShardWriter {
  private readonly hash: Hash = createHash('sha256');
  private lengths: number[] = [];
  private tokenBytes = 0;

  private constructor(readonly binPath: string, private readonly writer: PipelinedAtomicFile, readonly dtype: TokenDtype,
    private readonly header: Uint8Array | null, private readonly withIdx: boolean) {}

  static async open(binPath: string, o: { dtype: TokenDtype; header?: Uint8Array; index: 'megatron' | 'none' }): Promise<BlockShardWriter> {
    const w = new BlockShardWriter(binPath, await PipelinedAtomicFile.open(binPath), o.dtype, o.header ?? null, o.index === 'megatron');
    if (w.header) {
      w.hash.update(w.header);
      await w.writer.write(w.header);
    }
    return w;
  }

  /** `tokens` holds the documents back to back; it is handed to the stream, so it must not be reused. */
  async write(tokens: TokenArray, lengths: ArrayLike<number>): Promise<void> {
    const bytes = new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
    this.hash.update(bytes);
    this.tokenBytes += bytes.byteLength;
    for (let i = 0; i < lengths.length; i++) this.lengths.push(lengths[i]);
    await this.writer.write(bytes);
  }

  async commit(): Promise<ShardEntry> {
    await this.writer.commit();
    const tokens = this.tokenBytes / bytesPerToken(this.dtype);
    const binBytes = (this.header?.byteLength ?? 0) + this.tokenBytes;
    const bin = path.basename(this.binPath);
    const documents = this.lengths.length;
    const sha256Bin = this.hash.digest('hex');
    if (!this.withIdx) return { bin, idx: '', tokens, documents, binBytes, idxBytes: 0, sha256Bin, sha256Idx: '' };
    const idxPath = idxPathFor(this.binPath);
    const idx = encodeIdx(this.lengths, this.dtype);
    await writeFileAtomic(idxPath, idx);
    return { bin, idx: path.basename(idxPath), tokens, documents, binBytes, idxBytes: idx.byteLength, sha256Bin, sha256Idx: createHash('sha256').update(idx).digest('hex') };
  }

  async abort(): Promise<void> {
    await this.writer.abort();
  }
}

/**
 * An atomic file written with one write in flight while the caller prepares the next buffer
 * (pipeline/atomic-file.ts `AtomicWriter` waits for each write to drain a 16 KiB stream buffer, which
 * serialises reading and writing). Temp name from `tempNameFor`, fsync, rename, as AtomicWriter does.
 * Buffers passed to write() must not be modified afterwards.
 */
class PipelinedAtomicFile {
  private pending: Promise<void> | null = null;
  private position = 0;

  private constructor(readonly file: string, readonly tmp: string, private readonly fh: fs.FileHandle) {}

  static async open(file: string): Promise<PipelinedAtomicFile> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = tempNameFor(file);
    try {
      return new PipelinedAtomicFile(file, tmp, await fs.open(tmp, 'w'));
    } catch (e) {
      throw writeError(e, file);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.pending) await this.pending;
    const at = this.position;
    this.position += bytes.byteLength;
    this.pending = this.writeAll(bytes, at);
    // surface an error at the next call even if nobody awaits this one
    this.pending.catch(() => {});
  }

  private async writeAll(bytes: Uint8Array, at: number): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.byteLength) {
        const { bytesWritten } = await this.fh.write(bytes, done, bytes.byteLength - done, at + done);
        done += bytesWritten;
      }
    } catch (e) {
      throw writeError(e, this.file);
    }
  }

  async commit(): Promise<void> {
    try {
      if (this.pending) await this.pending;
      await this.fh.sync();
      await this.fh.close();
      await fs.rename(this.tmp, this.file);
    } catch (e) {
      await this.fh.close().catch(() => {});
      await fs.rm(this.tmp, { force: true });
      throw writeError(e, this.file);
    }
  }

  async abort(): Promise<void> {
    if (this.pending) await this.pending.catch(() => {});
    await this.fh.close().catch(() => {});
    await fs.rm(this.tmp, { force: true });
  }
}

function writeError(e: unknown, file: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new MassivetextError('out_of_disk', `no space left on device while writing ${file}`,
      'free disk space (or point --out at a larger filesystem) and re-run the same command: finished shards are kept', { file }, { cause: e });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new MassivetextError('write_denied', `cannot write ${file}: ${(e as Error).message}`, 'check the permissions of the output directory', { file }, { cause: e });
  }
  return e;
}
