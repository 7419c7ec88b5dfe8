/**
 * Writes one output shard of a sample: the planned documents, copied block by block from the input
 * shards through two reused block buffers, as a Megatron .bin + .idx or an llm.c shard. A shard left
 * complete by an earlier run of the same plan is kept (its .idx lengths or llm.c header must match
 * the plan) and only re-hashed.
 * Runs in the calling thread or on a worker (`writeSampleShardJob`, sample-shard-worker.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/errors.js';
import { encodeLlmcHeader, isLlmcShardComplete } from '../../pipeline/token-shard-llmc.js';
import {
  bytesPerToken, idxPathFor, readIdxWithSha256, type TokenArray, type TokenDtype, type TokenShardEntry, tokenShardEntry, TokenShardWriter,
} from '../../pipeline/token-shards.js';
import type { TokenSource } from './token-source.js';

export type SampleFormat = 'megatron' | 'llmc';

export interface SampleShardJob {
  /** Input subset directory (tokens/<subset>). */
  sourceDir: string;
  /** Output .bin path. */
  bin: string;
  /** Input document indices, in output order. */
  docs: Uint32Array;
  /** Planned token count (sum of the documents' lengths). */
  tokens: number;
  format: SampleFormat;
  blockTokens: number;
}

/** A shard whose tokens are all written: `commit` fsyncs and renames its files, `abort` removes them. */
export interface WrittenSampleShard {
  commit(): Promise<TokenShardEntry>;
  abort(): Promise<void>;
}

/**
 * Writes the shard's tokens and returns once they are all written and the block buffers are free
 * again; committing (fsync, renames) can then run while the next shard is written. A shard that an
 * earlier run finished is kept and only re-hashed.
 */
export async function writeSampleShard(src: TokenSource, job: SampleShardJob, signal?: AbortSignal): Promise<WrittenSampleShard> {
  const buffers = takeBuffers(src.dtype, job.blockTokens);
  try {
    const finished = await finishedShard(src, job, buffers.scratch);
    if (finished) return { commit: async () => finished, abort: async () => {} };
    return await writeTokens(src, job, buffers, signal);
  } finally {
    buffers.busy = false;
  }
}

async function writeTokens(src: TokenSource, job: SampleShardJob, buffers: BlockBuffers, signal?: AbortSignal): Promise<WrittenSampleShard> {
  const { docs, bin } = job;
  // ids come from shards that were checked when written, and the count is fixed by the plan
  const writer = await TokenShardWriter.open(bin, job.format === 'llmc'
    ? { vocabSize: src.manifest.vocabSize, header: encodeLlmcHeader(src.dtype, job.tokens), index: 'none', expectTokens: job.tokens }
    : { vocabSize: src.manifest.vocabSize, index: 'megatron', expectTokens: job.tokens });
  try {
    const lengths = new Int32Array(docs.length);
    for (let i = 0; i < docs.length; i++) lengths[i] = src.lengths[docs[i]];
    // Blocks of `blockTokens` are filled in output order (a document longer than what is left of a
    // block continues in the next) from reads sorted by source position, and written from two
    // buffers used in turn: fresh memory is dear (page faults), so the same two are used throughout.
    let i = 0;
    let off = 0;
    let turn = 0;
    while (i < docs.length) {
      const block = buffers.blocks[turn];
      turn ^= 1;
      const cap = block.length;
      let fill = 0;
      let n = 0;
      while (i < docs.length && fill < cap) {
        const take = Math.min(lengths[i] - off, cap - fill);
        if (take > 0) {
          if (n === buffers.doc.length) buffers.grow();
          buffers.doc[n] = docs[i];
          buffers.from[n] = off;
          buffers.count[n] = take;
          buffers.at[n++] = fill;
          fill += take;
          off += take;
        }
        if (off === lengths[i]) { i++; off = 0; }
      }
      src.readRanges(n, buffers.doc, buffers.from, buffers.count, buffers.at, block, buffers.order);
      await writer.writeTokens(block.subarray(0, fill));
      if (signal?.aborted) throw new MassivetextError('aborted', 'sampling was interrupted', 're-run the same command to resume');
    }
    writer.addLengths(lengths);
    await writer.drain();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return { commit: async () => tokenShardEntry(await writer.commit(), path.dirname(bin)), abort: () => writer.abort() };
}

/** Two block buffers and the range lists of one block, reused by every shard a thread writes. */
class BlockBuffers {
  busy = false;
  readonly blocks: [TokenArray, TokenArray];
  /** Bytes view of a block for re-hashing finished shards. */
  readonly scratch: Uint8Array;
  doc = new Uint32Array(1024);
  from = new Float64Array(1024);
  count = new Float64Array(1024);
  at = new Float64Array(1024);
  order = new Uint32Array(1024);

  constructor(dtype: TokenDtype, blockTokens: number) {
    const make = () => (dtype === 'uint16' ? new Uint16Array(blockTokens) : new Uint32Array(blockTokens));
    this.blocks = [make(), make()];
    this.scratch = new Uint8Array(this.blocks[0].buffer);
  }

  grow(): void {
    const g = <T extends Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(a.length * 2);
      b.set(a);
      return b;
    };
    this.doc = g(this.doc);
    this.from = g(this.from);
    this.count = g(this.count);
    this.at = g(this.at);
    this.order = new Uint32Array(this.doc.length);
  }
}

/** One set per thread, dtype and block size (kept between shards and runs); a concurrent caller gets its own. */
const threadBuffers = new Map<string, BlockBuffers>();

function takeBuffers(dtype: TokenDtype, blockTokens: number): BlockBuffers {
  const key = `${dtype}/${blockTokens}`;
  let b = threadBuffers.get(key);
  if (!b || b.busy) {
    const fresh = new BlockBuffers(dtype, blockTokens);
    if (!b) threadBuffers.set(key, fresh);
    b = fresh;
  }
  b.busy = true;
  return b;
}

/** sha256 of a file read through `buf` (no fresh buffer per chunk). */
function sha256OfFile(file: string, buf: Uint8Array): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

async function finishedShard(src: TokenSource, job: SampleShardJob, scratch: Uint8Array): Promise<TokenShardEntry | null> {
  const { bin, docs, tokens } = job;
  try {
    const stat = await fs.stat(bin);
    if (job.format === 'llmc') {
      if (!(await isLlmcShardComplete(bin, tokens, src.dtype))) return null;
      return { bin: path.basename(bin), idx: '', tokens, documents: docs.length, binBytes: stat.size, idxBytes: 0, sha256Bin: sha256OfFile(bin, scratch), sha256Idx: '' };
    }
    const idxFile = idxPathFor(bin);
    const { idx, sha256: sha256Idx } = await readIdxWithSha256(idxFile);
    if (idx.lengths.length !== docs.length || idx.dtype !== src.dtype || stat.size !== tokens * bytesPerToken(src.dtype)) return null;
    for (let i = 0; i < docs.length; i++) if (idx.lengths[i] !== src.lengths[docs[i]]) return null;
    return {
      bin: path.basename(bin), idx: path.basename(idxFile), tokens, documents: docs.length, binBytes: stat.size,
      idxBytes: (await fs.stat(idxFile)).size, sha256Bin: sha256OfFile(bin, scratch), sha256Idx,
    };
  } catch {
    return null;
  }
}
