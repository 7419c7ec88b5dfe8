/**
 * Reads what the plan needs from a Megatron-LM `MMIDIDX` index (NVIDIA/Megatron-LM
 * megatron/core/datasets/indexed_dataset.py `_IndexReader`): the dtype and the per-document lengths.
 * Layout (little-endian): magic "MMIDIDX\0\0" (9), uint64 version 1, uint8 dtype code, uint64 S,
 * uint64 D, int32 lengths[S], int64 pointers[S], int64 document_indices[D]. Only the header and the
 * lengths are read. stages/ may not import tokenizer/, so this is a small reader of our own.
 */
import * as fs from 'node:fs';
import { MassivetextError } from '../../pipeline/index.js';

const MAGIC = 'MMIDIDX\0\0';
const HEADER = 34;
/** Megatron `DType` codes we can plan over: 8 = uint16; 4 = int32 (our uint32 shards carry it). */
const DTYPES: Record<number, { dtype: 'uint16' | 'uint32'; bytes: number }> = { 8: { dtype: 'uint16', bytes: 2 }, 4: { dtype: 'uint32', bytes: 4 } };

export interface IdxLengths {
  dtype: 'uint16' | 'uint32';
  bytesPerToken: number;
  lengths: Int32Array;
  tokens: number;
}

export function readIdxLengths(file: string): IdxLengths {
  const bad = (offset: number, msg: string) => new MassivetextError('bad_token_index', `${file}: ${msg}`,
    'the .idx beside each .bin must be a Megatron MMIDIDX index; rebuild the shards', { file, offset });
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new MassivetextError('missing_token_index', `cannot open ${file}: ${(e as Error).message}`,
      'a .bin without its .idx is an unfinished shard; re-run the step that writes it', { file }, { cause: e });
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(HEADER);
    if (fs.readSync(fd, head, 0, HEADER, 0) < HEADER) throw bad(size, `only ${size} bytes, shorter than the 34-byte header`);
    if (head.toString('latin1', 0, 9) !== MAGIC) throw bad(0, 'bad magic (expected "MMIDIDX\\0\\0")');
    if (head.readBigUInt64LE(9) !== 1n) throw bad(9, `unsupported version ${head.readBigUInt64LE(9)}`);
    const code = head[17]!;
    const dt = DTYPES[code];
    if (!dt) throw bad(17, `unsupported dtype code ${code} (8 = uint16, 4 = int32)`);
    const s = Number(head.readBigUInt64LE(18));
    const d = Number(head.readBigUInt64LE(26));
    if (HEADER + 12 * s + 8 * d > size) throw bad(size, `declares ${s} sequences but the file has ${size} bytes`);
    const lengths = new Int32Array(s);
    const bytes = new Uint8Array(lengths.buffer);
    let got = 0;
    while (got < bytes.length) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, HEADER + got);
      if (n === 0) throw bad(HEADER + got, 'truncated lengths');
      got += n;
    }
    let tokens = 0;
    for (let i = 0; i < s; i++) {
      const len = lengths[i]!;
      if (len < 0) throw bad(HEADER + 4 * i, `document ${i} has negative length ${len}`);
      tokens += len;
    }
    return { dtype: dt.dtype, bytesPerToken: dt.bytes, lengths, tokens };
  } finally {
    fs.closeSync(fd);
  }
}

/** Byte offset of every document in the .bin (int64 pointers[S] after the lengths). */
export function readIdxPointers(file: string, documents: number): Float64Array {
  const buf = Buffer.alloc(8 * documents);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buf, 0, buf.length, HEADER + 4 * documents);
  } finally {
    fs.closeSync(fd);
  }
  const out = new Float64Array(documents);
  for (let i = 0; i < documents; i++) out[i] = Number(buf.readBigInt64LE(8 * i));
  return out;
}
