/**
 * Token shards: `part-NNNNN.bin` (raw little-endian token ids, the end-of-document id after every
 * document) with a Megatron-LM `MMIDIDX` index `part-NNNNN.idx` beside it, and a per-directory
 * `manifest.json` (tokens, documents, bytes and sha256 of every file).
 *
 * The `.bin` is headerless, so the same bytes are a Megatron-LM indexed dataset (with the `.idx`), a
 * nanoGPT `train.bin`, an OLMo raw memmap and a datatrove `.ds` stream; `numpy.memmap` views it with no
 * copy. Layouts: ../shared/design/train-runner.md §1.3 and NVIDIA/Megatron-LM
 * megatron/core/datasets/indexed_dataset.py (`_IndexWriter`, `_IndexReader`).
 *
 * `.idx` layout (all little-endian):
 *   0      9    b"MMIDIDX\0\0"
 *   9      8    uint64 version = 1
 *   17     1    uint8 dtype code (Megatron `DType`: 8 = uint16, 4 = int32)
 *   18     8    uint64 S = sequence count (one sequence per document here)
 *   26     8    uint64 D = document-index count = S + 1 (the list starts with 0)
 *   34     4S   int32 sequence lengths in tokens (the trailing EOS included)
 *   34+4S  8S   int64 sequence pointers: byte offsets into the .bin
 *   34+12S 8D   int64 document indices 0, 1, ..., S
 *
 * dtype: uint16 when every id fits (vocabulary <= 65,536), else 4-byte ids. Megatron has no uint32
 * code, so wide shards carry code 4 (int32): for ids < 2^31 the bytes are identical to uint32, which is
 * what llm.c's uint32 variant, nanoGPT and OLMo read. (Megatron's own `optimal_dtype` switches at
 * 65,500; any vocabulary up to 65,536 fits uint16 exactly.)
 *
 * Writing is streaming and atomic: tokens go to `<bin>.tmp-*` in 4 MiB chunks while being hashed,
 * the .idx goes to its own temp file, both are fsynced (at the same time), then the .bin is renamed,
 * then the .idx. A `.bin` without its `.idx` is therefore an unfinished shard (`isTokenShardComplete`).
 * Imports only node:* and pipeline/.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { syncDirectory, tempNameFor, writeFileAtomic } from './atomic-file.js';
import { MassivetextError } from './errors.js';

export const MMIDIDX_MAGIC: Uint8Array = Uint8Array.of(0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00);
/** Bytes before the arrays: magic 9 + version 8 + dtype 1 + S 8 + D 8. */
export const IDX_HEADER_BYTES = 34;

export type TokenDtype = 'uint16' | 'uint32';
export type TokenArray = Uint16Array | Uint32Array;

/** Megatron `DType` codes (indexed_dataset.py). uint32 maps to int32 (4): Megatron has no uint32 code. */
export const MEGATRON_DTYPE_CODE: Readonly<Record<TokenDtype, number>> = { uint16: 8, uint32: 4 };

/** uint16 holds ids 0..65535, so any vocabulary of at most 65,536 pieces fits in it. */
export function tokenDtypeFor(vocabSize: number): TokenDtype {
  if (!Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new MassivetextError('bad_vocab_size', `vocabulary size must be a positive integer, got ${vocabSize}`);
  }
  if (vocabSize > 2 ** 31) {
    throw new MassivetextError('bad_vocab_size', `vocabulary size ${vocabSize} exceeds 2^31 (Megatron's int32 ids)`);
  }
  return vocabSize <= 65536 ? 'uint16' : 'uint32';
}

export function bytesPerToken(dtype: TokenDtype): 2 | 4 {
  return dtype === 'uint16' ? 2 : 4;
}

/** `part-00000` (no extension); shards are `${tokenPartName(i)}.bin` / `.idx`. */
export function tokenPartName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

export function idxPathFor(binPath: string): string {
  return binPath.endsWith('.bin') ? binPath.slice(0, -4) + '.idx' : binPath + '.idx';
}

// ---------------------------------------------------------------------------------------------------
// .idx encode / parse

/** The whole .idx for one sequence per document, exactly as Megatron's `_IndexWriter` lays it out. */
export function encodeIdx(lengths: ArrayLike<number>, dtype: TokenDtype): Uint8Array {
  const s = lengths.length;
  const d = s + 1;
  const size = IDX_HEADER_BYTES + 4 * s + 8 * s + 8 * d;
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  buf.set(MMIDIDX_MAGIC, 0);
  view.setBigUint64(9, 1n, true);
  view.setUint8(17, MEGATRON_DTYPE_CODE[dtype]);
  view.setBigUint64(18, BigInt(s), true);
  view.setBigUint64(26, BigInt(d), true);
  const item = bytesPerToken(dtype);
  let o = IDX_HEADER_BYTES;
  for (let i = 0; i < s; i++, o += 4) view.setInt32(o, lengths[i], true);
  let ptr = 0;
  for (let i = 0; i < s; i++, o += 8) {
    setInt64(view, o, ptr);
    ptr += lengths[i] * item;
  }
  for (let i = 0; i < d; i++, o += 8) setInt64(view, o, i);
  return buf;
}

const TWO_32 = 4294967296;

/** Writes a safe integer as little-endian int64 (no BigInt: two 32-bit halves). */
function setInt64(view: DataView, o: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  view.setUint32(o, v - hi * TWO_32, true);
  view.setInt32(o + 4, hi, true);
}

/** Reads a little-endian int64 as a number (exact below 2^53; no BigInt: two 32-bit halves). */
function getInt64(view: DataView, o: number): number {
  return view.getInt32(o + 4, true) * TWO_32 + view.getUint32(o, true);
}

export interface IdxInfo {
  dtype: TokenDtype;
  /** The Megatron dtype code found in the file. */
  dtypeCode: number;
  sequenceCount: number;
  /** Entries in the document-index list (documents + 1). */
  documentIndexCount: number;
  /** Tokens per sequence (EOS included). */
  lengths: Int32Array;
  /** Byte offset of each sequence in the .bin. */
  pointers: Float64Array;
  /** Sequence index at which each document ends; first entry 0. */
  documentIndices: Float64Array;
}

const CODE_TO_DTYPE: Record<number, TokenDtype> = { 8: 'uint16', 4: 'uint32' };

function badIdx(file: string, offset: number, msg: string): MassivetextError {
  return new MassivetextError('bad_token_index', `${file}: ${msg}`, 'the shard is not a Megatron MMIDIDX index (or is truncated); rebuild it', { file, offset });
}

interface IdxHeader {
  dtype: TokenDtype;
  dtypeCode: number;
  sequenceCount: number;
  documentIndexCount: number;
}

/** Checks the 34-byte header against the whole index's size (`fileBytes`). */
function parseIdxHeader(head: Uint8Array, fileBytes: number, file: string): IdxHeader {
  if (head.length < IDX_HEADER_BYTES) throw badIdx(file, head.length, `index is ${head.length} bytes, shorter than the 34-byte header`);
  for (let i = 0; i < MMIDIDX_MAGIC.length; i++) {
    if (head[i] !== MMIDIDX_MAGIC[i]) throw badIdx(file, i, 'bad magic: expected "MMIDIDX\\0\\0"');
  }
  const view = new DataView(head.buffer, head.byteOffset, IDX_HEADER_BYTES);
  const version = getInt64(view, 9);
  if (version !== 1) throw badIdx(file, 9, `unsupported index version ${view.getBigUint64(9, true)} (expected 1)`);
  const dtypeCode = view.getUint8(17);
  const dtype = CODE_TO_DTYPE[dtypeCode];
  if (!dtype) throw badIdx(file, 17, `unsupported token dtype code ${dtypeCode} (supported: 8 = uint16, 4 = int32)`);
  const s = Number(view.getBigUint64(18, true));
  const d = Number(view.getBigUint64(26, true));
  const need = IDX_HEADER_BYTES + 12 * s + 8 * d;
  if (!Number.isSafeInteger(need) || fileBytes < need) {
    throw badIdx(file, fileBytes, `index declares ${s} sequences and ${d} document indices (${need} bytes) but has ${fileBytes} bytes`);
  }
  return { dtype, dtypeCode, sequenceCount: s, documentIndexCount: d };
}

/** Copies `s` int32 lengths out of `bytes` (little-endian), rejecting negative ones. */
function idxLengths(bytes: Uint8Array, s: number, file: string): Int32Array {
  const lengths = new Int32Array(s);
  new Uint8Array(lengths.buffer).set(bytes.subarray(IDX_HEADER_BYTES, IDX_HEADER_BYTES + 4 * s));
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + IDX_HEADER_BYTES, 4 * s);
    for (let i = 0; i < s; i++) lengths[i] = view.getInt32(4 * i, true);
  }
  for (let i = 0; i < s; i++) {
    if (lengths[i] < 0) throw badIdx(file, IDX_HEADER_BYTES + 4 * i, `sequence ${i} has negative length ${lengths[i]}`);
  }
  return lengths;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Parses a Megatron .idx as `_IndexReader` does; throws MassivetextError naming the file and byte. */
export function parseIdx(bytes: Uint8Array, file = '<idx>'): IdxInfo {
  const h = parseIdxHeader(bytes.subarray(0, IDX_HEADER_BYTES), bytes.length, file);
  const s = h.sequenceCount;
  const d = h.documentIndexCount;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengths = idxLengths(bytes, s, file);
  const pointers = new Float64Array(s);
  const documentIndices = new Float64Array(d);
  let o = IDX_HEADER_BYTES + 4 * s;
  for (let i = 0; i < s; i++, o += 8) pointers[i] = getInt64(view, o);
  for (let i = 0; i < d; i++, o += 8) documentIndices[i] = getInt64(view, o);
  return { ...h, lengths, pointers, documentIndices };
}

async function readIdxBytes(idxPath: string): Promise<Buffer> {
  try {
    return await fs.readFile(idxPath);
  } catch (e) {
    throw missingIdx(idxPath, e);
  }
}

function missingIdx(idxPath: string, e: unknown): MassivetextError {
  return new MassivetextError('missing_token_index', `cannot read token index ${idxPath}: ${(e as Error).message}`,
    'a .bin without its .idx is an unfinished shard; re-run the step that writes it', { file: idxPath }, { cause: e });
}

export async function readIdx(idxPath: string): Promise<IdxInfo> {
  return parseIdx(await readIdxBytes(idxPath), idxPath);
}

/** `readIdx` plus the sha256 of the index bytes (one read). */
export async function readIdxWithSha256(idxPath: string): Promise<{ idx: IdxInfo; sha256: string }> {
  const bytes = await readIdxBytes(idxPath);
  return { idx: parseIdx(bytes, idxPath), sha256: createHash('sha256').update(bytes).digest('hex') };
}

export interface IdxLengths {
  dtype: TokenDtype;
  bytesPerToken: 2 | 4;
  /** Tokens per sequence (EOS included). */
  lengths: Int32Array;
  /** Sum of the lengths. */
  tokens: number;
}

/**
 * Reads only the header and the lengths of a .idx, synchronously (planners over many shards need no
 * pointers or document indices, and read them in one go).
 */
/** The header of a Megatron .idx: token dtype and sequence count (checked against the file size). */
export function readIdxHeaderSync(idxPath: string): { dtype: TokenDtype; sequenceCount: number } {
  const fd = openIdx(idxPath);
  try {
    const head = new Uint8Array(IDX_HEADER_BYTES);
    const got = readFully(fd, head, 0);
    const h = parseIdxHeader(head.subarray(0, got), fstatSync(fd).size, idxPath);
    return { dtype: h.dtype, sequenceCount: h.sequenceCount };
  } finally {
    closeSync(fd);
  }
}

/**
 * The sequence lengths of a Megatron .idx, read straight into `into` when given (its length must be the
 * sequence count: e.g. a slice of one SharedArrayBuffer over many shards), so no buffer is filled twice.
 */
export function readIdxLengthsSync(idxPath: string, into?: Int32Array): IdxLengths {
  const fd = openIdx(idxPath);
  try {
    const head = new Uint8Array(IDX_HEADER_BYTES);
    const got = readFully(fd, head, 0);
    const h = parseIdxHeader(head.subarray(0, got), fstatSync(fd).size, idxPath);
    const s = h.sequenceCount;
    if (into && into.length !== s) throw new RangeError(`${idxPath}: ${s} sequences, but room for ${into.length} was given`);
    const lengths = into ?? new Int32Array(s);
    if (readFully(fd, new Uint8Array(lengths.buffer, lengths.byteOffset, 4 * s), IDX_HEADER_BYTES) < 4 * s) throw badIdx(idxPath, fstatSync(fd).size, 'truncated lengths');
    let tokens = 0;
    for (let i = 0; i < s; i++) {
      if (!LITTLE_ENDIAN) lengths[i] = ((lengths[i]! & 0xff) << 24) | ((lengths[i]! & 0xff00) << 8) | ((lengths[i]! >>> 8) & 0xff00) | (lengths[i]! >>> 24);
      const len = lengths[i]!;
      if (len < 0) throw badIdx(idxPath, IDX_HEADER_BYTES + 4 * i, `sequence ${i} has negative length ${len}`);
      tokens += len;
    }
    return { dtype: h.dtype, bytesPerToken: bytesPerToken(h.dtype), lengths, tokens };
  } finally {
    closeSync(fd);
  }
}

function openIdx(idxPath: string): number {
  try {
    return openSync(idxPath, 'r');
  } catch (e) {
    throw missingIdx(idxPath, e);
  }
}

/** The byte offset of each of the `sequences` documents in the .bin (the int64 pointers after the lengths). */
export function readIdxPointersSync(idxPath: string, sequences: number): Float64Array {
  let fd: number;
  try {
    fd = openSync(idxPath, 'r');
  } catch (e) {
    throw missingIdx(idxPath, e);
  }
  const bytes = new Uint8Array(8 * sequences);
  try {
    if (readFully(fd, bytes, IDX_HEADER_BYTES + 4 * sequences) < bytes.length) throw badIdx(idxPath, IDX_HEADER_BYTES + 4 * sequences, 'truncated pointers');
  } finally {
    closeSync(fd);
  }
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(sequences);
  for (let i = 0; i < sequences; i++) out[i] = getInt64(view, 8 * i);
  return out;
}

/** Reads into `buf` from `position` until it is full or the file ends; returns the bytes read. */
function readFully(fd: number, buf: Uint8Array, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

// ---------------------------------------------------------------------------------------------------
// Reader

export interface TokenShard {
  binPath: string;
  idxPath: string;
  dtype: TokenDtype;
  /** All tokens of the .bin, one typed view over one buffer. */
  tokens: TokenArray;
  /** Tokens per document (EOS included). */
  lengths: Int32Array;
  /** Token offset where each document starts; `offsets[documents]` = total tokens when contiguous. */
  offsets: Float64Array;
  documents: number;
  tokenCount: number;
  /** The tokens of document i (a view, no copy). */
  document(i: number): TokenArray;
}

/**
 * Reads a whole shard into one buffer (one read, the typed arrays are views into it) and checks the
 * .idx against the .bin: dtype, file size, pointers in bounds and in order.
 */
export async function readTokenShard(binPath: string): Promise<TokenShard> {
  const idxPath = idxPathFor(binPath);
  const idx = await readIdx(idxPath);
  const item = bytesPerToken(idx.dtype);
  let fh;
  try {
    fh = await fs.open(binPath, 'r');
  } catch (e) {
    throw new MassivetextError('missing_token_shard', `cannot open token shard ${binPath}: ${(e as Error).message}`, '', { file: binPath }, { cause: e });
  }
  try {
    const size = (await fh.stat()).size;
    if (size % item !== 0) {
      throw new MassivetextError('bad_token_shard', `${size} bytes is not a whole number of ${idx.dtype} tokens`, 'the shard is truncated; rebuild it', { file: binPath, offset: size });
    }
    let expected = 0;
    for (let i = 0; i < idx.sequenceCount; i++) {
      const p = idx.pointers[i];
      if (p !== expected) {
        if (p % item !== 0 || p < 0 || p + idx.lengths[i] * item > size) {
          throw new MassivetextError('bad_token_index', `sequence ${i} points at byte ${p} (+${idx.lengths[i]} tokens), outside the ${size}-byte .bin`,
            'the .idx does not belong to this .bin; rebuild the shard', { file: idxPath, offset: IDX_HEADER_BYTES + 4 * idx.sequenceCount + 8 * i });
        }
      }
      expected = p + idx.lengths[i] * item;
    }
    if (idx.sequenceCount > 0 && idx.pointers[0] === 0 && expected !== size) {
      throw new MassivetextError('bad_token_shard', `the .idx covers ${expected} bytes but the .bin has ${size}`,
        'the .bin and .idx disagree (an interrupted write?); rebuild the shard', { file: binPath, offset: Math.min(expected, size) });
    }
    const buffer = new ArrayBuffer(size);
    const u8 = new Uint8Array(buffer);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(u8, done, Math.min(size - done, 1 << 30), done);
      if (bytesRead === 0) throw new MassivetextError('bad_token_shard', `unexpected end of file after ${done} bytes`, '', { file: binPath, offset: done });
      done += bytesRead;
    }
    const tokens: TokenArray = idx.dtype === 'uint16' ? new Uint16Array(buffer) : new Uint32Array(buffer);
    const offsets = new Float64Array(idx.sequenceCount + 1);
    for (let i = 0; i < idx.sequenceCount; i++) offsets[i] = idx.pointers[i] / item;
    offsets[idx.sequenceCount] = idx.sequenceCount ? offsets[idx.sequenceCount - 1] + idx.lengths[idx.sequenceCount - 1] : 0;
    const lengths = idx.lengths;
    return {
      binPath, idxPath, dtype: idx.dtype, tokens, lengths, offsets,
      documents: idx.sequenceCount, tokenCount: size / item,
      document: (i: number) => tokens.subarray(offsets[i], offsets[i] + lengths[i]) as TokenArray,
    };
  } finally {
    await fh.close();
  }
}

/** True when the shard's .idx exists, parses, and matches the .bin's size (a finished shard). */
export async function isTokenShardComplete(binPath: string): Promise<boolean> {
  try {
    const idx = await readIdx(idxPathFor(binPath));
    const size = (await fs.stat(binPath)).size;
    let total = 0;
    for (let i = 0; i < idx.sequenceCount; i++) total += idx.lengths[i];
    return total * bytesPerToken(idx.dtype) === size;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Writer

export interface TokenShardWriterOptions {
  /** Vocabulary size: picks the dtype and bounds the ids. */
  vocabSize: number;
  /** End-of-document id appended by `addDocument` (SentencePiece default `</s>` = 2). Omit to append nothing. */
  eosId?: number;
  /** Bytes buffered before a write; 4 MiB keeps memory flat and syscalls few. */
  chunkBytes?: number;
  /** Bytes written before the tokens (e.g. llm.c's 1 KiB header); counted in binBytes and sha256Bin. */
  header?: Uint8Array;
  /** 'megatron' (default) writes the .idx on commit; 'none' writes only the .bin (llm.c export). */
  index?: 'megatron' | 'none';
  /** When set, commit() fails unless exactly this many tokens were written (a header that states it). */
  expectTokens?: number;
}

export interface TokenShardSummary {
  bin: string;
  /** Empty when the writer was opened with `index: 'none'`. */
  idx: string;
  tokens: number;
  documents: number;
  binBytes: number;
  idxBytes: number;
  sha256Bin: string;
  sha256Idx: string;
}

/** Streams documents into `binPath` (+ `.idx` on commit). Nothing is visible until `commit()`. */
export class TokenShardWriter {
  readonly binPath: string;
  readonly dtype: TokenDtype;
  readonly vocabSize: number;
  readonly eosId: number | undefined;
  private readonly writer: PipelinedAtomicFile;
  private readonly hash: Hash = createHash('sha256');
  private readonly chunkTokens: number;
  /** Two write buffers used in turn: with one write in flight, the other is always free (no copies). */
  private chunks: [TokenArray | null, TokenArray | null] = [null, null];
  private current = 0;
  private fill = 0;
  private lengths = new Int32Array(1024);
  private flushed = 0;
  /** The last queued call (see inOrder) and the first error of one. */
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;
  private readonly options: TokenShardWriterOptions;
  tokens = 0;
  documents = 0;

  private constructor(binPath: string, writer: PipelinedAtomicFile, options: TokenShardWriterOptions) {
    this.binPath = binPath;
    this.writer = writer;
    this.vocabSize = options.vocabSize;
    this.dtype = tokenDtypeFor(options.vocabSize);
    this.eosId = options.eosId;
    if (this.eosId !== undefined && !(Number.isInteger(this.eosId) && this.eosId >= 0 && this.eosId < this.vocabSize)) {
      throw new MassivetextError('bad_eos_id', `end-of-document id ${this.eosId} is outside the vocabulary of ${this.vocabSize}`);
    }
    this.chunkTokens = Math.max(1024, Math.floor((options.chunkBytes ?? 4 << 20) / bytesPerToken(this.dtype)));
    this.options = options;
  }

  static async open(binPath: string, options: TokenShardWriterOptions): Promise<TokenShardWriter> {
    tokenDtypeFor(options.vocabSize);
    const w = new TokenShardWriter(binPath, await PipelinedAtomicFile.open(binPath), options);
    if (options.header?.byteLength) {
      const header = options.header.slice();
      w.hash.update(header);
      await w.writer.write(header);
    }
    return w;
  }

  /** The buffer being filled, allocated on first use (writers fed only whole blocks never need one). */
  private get chunk(): TokenArray {
    let c = this.chunks[this.current];
    if (!c) c = this.chunks[this.current] = takeChunk(this.dtype, this.chunkTokens);
    return c;
  }

  /**
   * Appends one document's ids, then the EOS id (when configured). Ids must be in [0, vocabSize).
   * Calls take effect in call order even when the caller does not await each one (bin/build's encode
   * step does not); `ids` must then stay unchanged until commit. Bad ids reject the call at once and
   * leave the writer as it was; a failed write also fails commit(). (Without the queue, a call that
   * filled a chunk was overtaken by the next call, and commit failed with a byte count mismatch.)
   */
  addDocument(ids: ArrayLike<number>): Promise<void> {
    try {
      this.checkIds(ids);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.inOrder(() => this.addDocumentNow(ids));
  }

  /** Runs `op` after every earlier queued call; its error also fails commit() (the shard is then unusable). */
  private inOrder(op: () => Promise<void>): Promise<void> {
    const run = this.tail.then(op);
    this.tail = run.catch((e) => {
      this.failure ??= { error: e };
    });
    return run;
  }

  private async addDocumentNow(ids: ArrayLike<number>): Promise<void> {
    const eos = this.eosId === undefined ? 0 : 1;
    await this.append(ids);
    if (eos) {
      if (this.fill === this.chunkTokens) await this.flush();
      this.chunk[this.fill++] = this.eosId!;
    }
    this.pushLength(ids.length + eos);
  }

  /**
   * Appends one document exactly as given (its EOS already included), e.g. a span copied from another
   * shard of the same dtype. Ids are not re-checked when `trusted` (they came from a checked shard).
   */
  addRawDocument(tokens: ArrayLike<number>, trusted = false): Promise<void> {
    try {
      if (!trusted) this.checkIds(tokens);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.inOrder(() => this.addRawDocumentNow(tokens));
  }

  private async addRawDocumentNow(tokens: ArrayLike<number>): Promise<void> {
    await this.append(tokens);
    this.pushLength(tokens.length);
  }

  /**
   * Appends several whole documents laid out back to back in `tokens` (EOS ids included), with their
   * lengths. The array is handed to the file stream as it is: the caller must not reuse it.
   */
  addRawDocuments(tokens: TokenArray, lengths: ArrayLike<number>, trusted = false): Promise<void> {
    try {
      let sum = 0;
      for (let i = 0; i < lengths.length; i++) sum += lengths[i];
      if (sum !== tokens.length) throw new Error(`addRawDocuments: lengths sum to ${sum} but ${tokens.length} tokens were given`);
      if ((tokens instanceof Uint16Array) !== (this.dtype === 'uint16')) throw new Error('addRawDocuments: token array width does not match the shard dtype');
      if (!trusted) this.checkIds(tokens);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.inOrder(() => this.addRawDocumentsNow(tokens, lengths));
  }

  private async addRawDocumentsNow(tokens: TokenArray, lengths: ArrayLike<number>): Promise<void> {
    if (tokens.length < this.chunkTokens - this.fill) {
      await this.append(tokens);
    } else {
      await this.flush();
      const bytes = new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
      // handed to the file as it is: the caller must not reuse `tokens`
      this.hash.update(bytes);
      this.flushed += bytes.byteLength;
      await this.writer.write(bytes);
    }
    for (let i = 0; i < lengths.length; i++) this.pushLength(lengths[i]);
  }

  /**
   * Appends a stretch of the token stream as it is: whole documents or pieces of them (EOS ids
   * included); record the documents with `addLengths`, before `commit()`, which checks that the
   * lengths add up to the tokens written. `tokens` goes to the file without a copy, so two buffers
   * used in turn can be refilled: a buffer is free again once the next `writeTokens` (or `drain()`)
   * call has returned. Ids are not checked (the caller copies them from checked shards).
   */
  writeTokens(tokens: TokenArray): Promise<void> {
    if ((tokens instanceof Uint16Array) !== (this.dtype === 'uint16')) return Promise.reject(new Error('writeTokens: token array width does not match the shard dtype'));
    return this.inOrder(() => this.writeTokensNow(tokens));
  }

  private async writeTokensNow(tokens: TokenArray): Promise<void> {
    await this.flush();
    if (tokens.length === 0) return;
    const bytes = new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
    this.hash.update(bytes);
    this.flushed += bytes.byteLength;
    await this.writer.write(bytes);
  }

  /** Records documents (tokens per document, EOS included) whose tokens were given to `writeTokens`. */
  addLengths(lengths: ArrayLike<number>): void {
    for (let i = 0; i < lengths.length; i++) this.pushLength(lengths[i]);
  }

  /** Waits until every buffer given to the file has been written (they may then be reused). */
  async drain(): Promise<void> {
    await this.tail;
    await this.flush();
    await this.writer.drain();
  }

  private checkIds(ids: ArrayLike<number>): void {
    const v = this.vocabSize;
    if (ids instanceof Uint16Array || ids instanceof Uint32Array || ids instanceof Uint8Array) {
      if (ids instanceof Uint16Array && v >= 65536) return;
      let max = 0;
      for (let i = 0; i < ids.length; i++) if (ids[i] > max) max = ids[i];
      if (max < v) return;
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < v) || !Number.isInteger(id)) {
        throw new MassivetextError('token_out_of_range', `token id ${id} at position ${i} of document ${this.documents} is outside the vocabulary of ${v}`,
          'the shard vocabulary size must match the tokenizer', { file: this.binPath, record: this.documents });
      }
    }
  }

  private pushLength(len: number): void {
    if (len > 0x7fffffff) {
      throw new MassivetextError('document_too_long', `document ${this.documents} has ${len} tokens; Megatron's .idx stores lengths as int32`, '', { file: this.binPath, record: this.documents });
    }
    if (this.documents === this.lengths.length) {
      const grown = new Int32Array(this.lengths.length * 2);
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[this.documents++] = len;
    this.tokens += len;
  }

  private async append(ids: ArrayLike<number>): Promise<void> {
    let i = 0;
    const n = ids.length;
    const typed = ArrayBuffer.isView(ids);
    while (i < n) {
      if (this.fill === this.chunkTokens) await this.flush();
      const take = Math.min(n - i, this.chunkTokens - this.fill);
      if (typed) this.chunk.set((ids as unknown as TokenArray).subarray(i, i + take), this.fill);
      else for (let k = 0; k < take; k++) this.chunk[this.fill + k] = ids[i + k];
      this.fill += take;
      i += take;
    }
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    const n = this.fill * bytesPerToken(this.dtype);
    const bytes = new Uint8Array(this.chunk.buffer, 0, n);
    this.hash.update(bytes);
    this.flushed += n;
    this.fill = 0;
    // write() first waits for the previous write, which used the other buffer: it is free again
    await this.writer.write(bytes);
    this.current ^= 1;
  }

  /** Writes the .bin (fsync + rename), then the .idx; returns counts and checksums. */
  async commit(): Promise<TokenShardSummary> {
    await this.tail;
    if (this.failure) throw this.failure.error;
    try {
      return await this.commitFiles();
    } finally {
      await this.releaseChunks();
    }
  }

  /** Hands the write buffers to the next writer of this thread once no write uses them. */
  private async releaseChunks(): Promise<void> {
    if (!this.chunks[0] && !this.chunks[1]) return;
    await this.writer.drain().catch(() => {});
    for (const c of this.chunks) if (c) giveChunk(c);
    this.chunks = [null, null];
  }

  private async commitFiles(): Promise<TokenShardSummary> {
    await this.flush();
    if (this.flushed !== this.tokens * bytesPerToken(this.dtype)) throw new Error('token shard writer: byte count mismatch');
    if (this.options.expectTokens !== undefined && this.options.expectTokens !== this.tokens) {
      await this.writer.abort();
      throw new Error(`token shard writer: ${this.tokens} tokens written but the header states ${this.options.expectTokens}`);
    }
    const headerBytes = this.options.header?.byteLength ?? 0;
    const sha256Bin = this.hash.digest('hex');
    if (this.options.index === 'none') {
      await this.writer.commit();
      return { bin: this.binPath, idx: '', tokens: this.tokens, documents: this.documents, binBytes: headerBytes + this.flushed, idxBytes: 0, sha256Bin, sha256Idx: '' };
    }
    const idxPath = idxPathFor(this.binPath);
    const idx = encodeIdx(this.lengths.subarray(0, this.documents), this.dtype);
    // The .idx is written and fsynced while the .bin's fsync runs (one wait instead of two); the
    // .bin is renamed first, so a crash between the renames leaves a .bin without .idx: unfinished.
    let idxFile: PipelinedAtomicFile;
    try {
      idxFile = await PipelinedAtomicFile.open(idxPath);
    } catch (e) {
      await this.writer.abort();
      throw e;
    }
    try {
      await idxFile.write(idx);
      await Promise.all([this.writer.syncAndClose(), idxFile.syncAndClose()]);
      await this.writer.publish();
    } catch (e) {
      await Promise.all([this.writer.abort(), idxFile.abort()]);
      throw e;
    }
    await idxFile.publish();
    return {
      bin: this.binPath, idx: idxPath, tokens: this.tokens, documents: this.documents,
      binBytes: headerBytes + this.flushed, idxBytes: idx.byteLength,
      sha256Bin, sha256Idx: createHash('sha256').update(idx).digest('hex'),
    };
  }

  async abort(): Promise<void> {
    await this.tail;
    await this.writer.abort();
    await this.releaseChunks();
  }
}

/**
 * Spare write buffers, per thread: every shard would otherwise touch two fresh 4 MiB buffers, and
 * fresh memory costs page faults (~5 s/GB on the project VM, ~40 ms per shard). At most 4 per size.
 */
const spareChunks = new Map<string, TokenArray[]>();

function takeChunk(dtype: TokenDtype, tokens: number): TokenArray {
  const c = spareChunks.get(`${dtype}/${tokens}`)?.pop();
  return c ?? (dtype === 'uint16' ? new Uint16Array(tokens) : new Uint32Array(tokens));
}

function giveChunk(c: TokenArray): void {
  const key = `${c instanceof Uint16Array ? 'uint16' : 'uint32'}/${c.length}`;
  let list = spareChunks.get(key);
  if (!list) spareChunks.set(key, (list = []));
  if (list.length < 4) list.push(c);
}

// ---------------------------------------------------------------------------------------------------
// Directory manifest

export const TOKEN_MANIFEST_FORMAT = 'massivetext-token-shards';

/** A shard in a manifest: the writer's summary with `bin` and `idx` relative to the manifest's directory. */
export type TokenShardEntry = TokenShardSummary;

export interface TokenManifest {
  format: typeof TOKEN_MANIFEST_FORMAT;
  version: 1;
  dtype: TokenDtype;
  byteOrder: 'little';
  megatronDtypeCode: number;
  vocabSize: number;
  eosId: number | null;
  tokens: number;
  documents: number;
  shards: TokenShardEntry[];
  /** Free-form provenance: subset, tokenizer sha256, seed, epochs ... */
  meta?: Record<string, unknown>;
}

export function tokenShardEntry(summary: TokenShardSummary, dir: string): TokenShardEntry {
  return {
    bin: path.relative(dir, summary.bin), idx: summary.idx ? path.relative(dir, summary.idx) : '',
    tokens: summary.tokens, documents: summary.documents, binBytes: summary.binBytes, idxBytes: summary.idxBytes,
    sha256Bin: summary.sha256Bin, sha256Idx: summary.sha256Idx,
  };
}

export function buildTokenManifest(shards: TokenShardEntry[], options: { vocabSize: number; eosId?: number; meta?: Record<string, unknown> }): TokenManifest {
  const dtype = tokenDtypeFor(options.vocabSize);
  const m: TokenManifest = {
    format: TOKEN_MANIFEST_FORMAT, version: 1, dtype, byteOrder: 'little', megatronDtypeCode: MEGATRON_DTYPE_CODE[dtype],
    vocabSize: options.vocabSize, eosId: options.eosId ?? null,
    tokens: shards.reduce((a, s) => a + s.tokens, 0), documents: shards.reduce((a, s) => a + s.documents, 0),
    shards: [...shards].sort((a, b) => (a.bin < b.bin ? -1 : a.bin > b.bin ? 1 : 0)),
  };
  if (options.meta) m.meta = options.meta;
  return m;
}

export async function writeTokenManifest(dir: string, manifest: TokenManifest): Promise<void> {
  await writeFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

export async function readTokenManifest(dir: string): Promise<TokenManifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new MassivetextError('missing_token_manifest', `no token manifest at ${file}`,
      'token shards are written by `massivetext build` (tokens/<subset>/) or `massivetext sample`', { file }, { cause: e });
  }
  let m: TokenManifest;
  try {
    m = JSON.parse(text) as TokenManifest;
  } catch (e) {
    throw new MassivetextError('bad_token_manifest', `${file} is not valid JSON: ${(e as Error).message}`, 'rebuild the shards', { file }, { cause: e });
  }
  if (m?.format !== TOKEN_MANIFEST_FORMAT || !Array.isArray(m.shards) || (m.dtype !== 'uint16' && m.dtype !== 'uint32')) {
    throw new MassivetextError('bad_token_manifest', `${file} is not a ${TOKEN_MANIFEST_FORMAT} manifest`, '', { file });
  }
  return m;
}

export { sha256File } from './fingerprint.js';

// ---------------------------------------------------------------------------------------------------
// Directory writer: rolls shards at a token budget and writes manifest.json last.

export interface TokenShardSetOptions extends TokenShardWriterOptions {
  /** Start a new shard once this many tokens are written; ~100M tokens (200 MB) per train-runner.md §5.1. */
  shardTokens?: number;
  /** Index of the first part (for tasks that write disjoint part ranges). */
  firstPart?: number;
  meta?: Record<string, unknown>;
}

export const DEFAULT_SHARD_TOKENS = 100_000_000;

/** Writes `dir/part-NNNNN.bin/.idx` shards of about `shardTokens` tokens each (documents never split). */
export class TokenShardSetWriter {
  readonly dir: string;
  private readonly options: TokenShardSetOptions;
  private current: TokenShardWriter | null = null;
  private nextPart: number;
  readonly shards: TokenShardEntry[] = [];

  constructor(dir: string, options: TokenShardSetOptions) {
    tokenDtypeFor(options.vocabSize);
    this.dir = dir;
    this.options = options;
    this.nextPart = options.firstPart ?? 0;
  }

  private async writer(): Promise<TokenShardWriter> {
    if (!this.current) {
      this.current = await TokenShardWriter.open(path.join(this.dir, `${tokenPartName(this.nextPart++)}.bin`), this.options);
    }
    return this.current;
  }

  private async roll(): Promise<void> {
    if (this.current && this.current.tokens >= (this.options.shardTokens ?? DEFAULT_SHARD_TOKENS)) await this.commitCurrent();
  }

  private async commitCurrent(): Promise<void> {
    if (!this.current) return;
    const w = this.current;
    this.current = null;
    this.shards.push(tokenShardEntry(await w.commit(), this.dir));
  }

  async addDocument(ids: ArrayLike<number>): Promise<void> {
    await (await this.writer()).addDocument(ids);
    await this.roll();
  }

  async addRawDocument(tokens: ArrayLike<number>, trusted = false): Promise<void> {
    await (await this.writer()).addRawDocument(tokens, trusted);
    await this.roll();
  }

  /** Commits the open shard and writes `manifest.json`; returns the manifest. */
  async finish(): Promise<TokenManifest> {
    await this.commitCurrent();
    const manifest = buildTokenManifest(this.shards, { vocabSize: this.options.vocabSize, eosId: this.options.eosId, meta: this.options.meta });
    await writeTokenManifest(this.dir, manifest);
    return manifest;
  }

  async abort(): Promise<void> {
    const w = this.current;
    this.current = null;
    if (w) await w.abort();
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
  private closed = false;

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

  /** Waits for the write in flight (its buffer is then free). */
  async drain(): Promise<void> {
    if (this.pending) await this.pending;
  }

  async commit(): Promise<void> {
    await this.syncAndClose();
    await this.publish();
  }

  /** Waits for the writes, fsyncs and closes the temp file (on failure it is removed). */
  async syncAndClose(): Promise<void> {
    try {
      if (this.pending) await this.pending;
      await this.fh.sync();
      this.closed = true;
      await this.fh.close();
    } catch (e) {
      this.closed = true;
      await this.fh.close().catch(() => {});
      await fs.rm(this.tmp, { force: true });
      throw writeError(e, this.file);
    }
  }

  /** Renames the synced temp file to its name. */
  async publish(): Promise<void> {
    try {
      await fs.rename(this.tmp, this.file);
      await syncDirectory(path.dirname(this.file));
    } catch (e) {
      await fs.rm(this.tmp, { force: true });
      throw writeError(e, this.file);
    }
  }

  async abort(): Promise<void> {
    if (this.pending) await this.pending.catch(() => {});
    if (!this.closed) await this.fh.close().catch(() => {});
    this.closed = true;
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
