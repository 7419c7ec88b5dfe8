/**
 * Writes one output shard of a sample: the planned documents, copied block by block from the input
 * shards, as a Megatron .bin + .idx or an llm.c shard. A shard left complete by an earlier run of the
 * same plan is kept (its .idx lengths or llm.c header must match the plan) and only re-hashed.
 * Runs in the calling thread or on a worker (`writeSampleShardJob`, sample-shard-worker.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/index.js';
import { encodeLlmcHeader, isLlmcShardComplete } from '../../pipeline/token-shard-llmc.js';
import {
  bytesPerToken, idxPathFor, readIdxWithSha256, sha256File, type TokenShardEntry, tokenShardEntry, TokenShardWriter,
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

export async function writeSampleShard(src: TokenSource, job: SampleShardJob, signal?: AbortSignal): Promise<TokenShardEntry> {
  const finished = await finishedShard(src, job);
  if (finished) return finished;
  const { docs, bin } = job;
  // ids come from shards that were checked when written, and the count is fixed by the plan
  const writer = await TokenShardWriter.open(bin, job.format === 'llmc'
    ? { vocabSize: src.manifest.vocabSize, header: encodeLlmcHeader(src.dtype, job.tokens), index: 'none', expectTokens: job.tokens }
    : { vocabSize: src.manifest.vocabSize, index: 'megatron', expectTokens: job.tokens });
  try {
    let start = 0;
    while (start < docs.length) {
      let end = start;
      let blockTokens = 0;
      while (end < docs.length && (end === start || blockTokens + src.lengths[docs[end]] <= job.blockTokens)) blockTokens += src.lengths[docs[end++]];
      const block = src.readBlock(docs.subarray(start, end));
      await writer.addRawDocuments(block.tokens, block.lengths, true);
      start = end;
      if (signal?.aborted) throw new MassivetextError('aborted', 'sampling was interrupted', 're-run the same command to resume');
    }
    return tokenShardEntry(await writer.commit(), path.dirname(bin));
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

async function finishedShard(src: TokenSource, job: SampleShardJob): Promise<TokenShardEntry | null> {
  const { bin, docs, tokens } = job;
  try {
    const stat = await fs.stat(bin);
    if (job.format === 'llmc') {
      if (!(await isLlmcShardComplete(bin, tokens, src.dtype))) return null;
      return { bin: path.basename(bin), idx: '', tokens, documents: docs.length, binBytes: stat.size, idxBytes: 0, sha256Bin: await sha256File(bin), sha256Idx: '' };
    }
    const idxFile = idxPathFor(bin);
    const { idx, sha256: sha256Idx } = await readIdxWithSha256(idxFile);
    if (idx.lengths.length !== docs.length || idx.dtype !== src.dtype || stat.size !== tokens * bytesPerToken(src.dtype)) return null;
    for (let i = 0; i < docs.length; i++) if (idx.lengths[i] !== src.lengths[docs[i]]) return null;
    return {
      bin: path.basename(bin), idx: path.basename(idxFile), tokens, documents: docs.length, binBytes: stat.size,
      idxBytes: (await fs.stat(idxFile)).size, sha256Bin: await sha256File(bin), sha256Idx,
    };
  } catch {
    return null;
  }
}
