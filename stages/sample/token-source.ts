/**
 * One subset's input shards (`tokens/<subset>/manifest.json` + `part-NNNNN.bin/.idx`) seen as one
 * array of documents: lengths for planning, and copying any document's tokens into a block.
 * Only the .idx files are read up front (their sizes are checked against the .bin files); tokens are
 * read on demand with positional reads into the caller's (reused) buffers, sorted by position within
 * each block for locality, or from memory when the caller preloads a subset that is read many times over.
 */
import { closeSync, openSync, readSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/errors.js';
import {
  bytesPerToken, idxPathFor, readIdxWithSha256, readTokenManifest, type TokenArray, tokenDtypeFor, type TokenDtype, type TokenManifest,
} from '../../pipeline/token-shards.js';

export interface TokenSourceShard {
  bin: string;
  bytes: number;
  idxSha256: string;
}

export class TokenSource {
  readonly dir: string;
  readonly manifest: TokenManifest;
  readonly dtype: TokenDtype;
  readonly shards: TokenSourceShard[];
  /** Per document: tokens (EOS included). */
  readonly lengths: Int32Array;
  /** Per document: its shard. */
  readonly shardOf: Uint32Array;
  /** Per document: token offset inside its shard. */
  readonly offsetOf: Float64Array;
  readonly tokens: number;
  private fds: (number | null)[];
  private memory: (TokenArray | null)[];

  private constructor(dir: string, manifest: TokenManifest, shards: TokenSourceShard[], lengths: Int32Array, shardOf: Uint32Array, offsetOf: Float64Array) {
    this.dir = dir;
    this.manifest = manifest;
    this.dtype = manifest.dtype;
    this.shards = shards;
    this.lengths = lengths;
    this.shardOf = shardOf;
    this.offsetOf = offsetOf;
    let t = 0;
    for (let i = 0; i < lengths.length; i++) t += lengths[i];
    this.tokens = t;
    this.fds = shards.map(() => null);
    this.memory = shards.map(() => null);
  }

  /** Reads the manifest and every .idx of `dir`; checks dtype and sizes against the .bin files. */
  static async open(dir: string): Promise<TokenSource> {
    const manifest = await readTokenManifest(dir);
    if (tokenDtypeFor(manifest.vocabSize) !== manifest.dtype) {
      throw new MassivetextError('bad_token_manifest', `${path.join(dir, 'manifest.json')} says ${manifest.dtype} tokens for a vocabulary of ${manifest.vocabSize}`,
        'rebuild the shards', { file: path.join(dir, 'manifest.json') });
    }
    const item = bytesPerToken(manifest.dtype);
    const parts: { lengths: Int32Array; pointers: Float64Array }[] = [];
    const shards: TokenSourceShard[] = [];
    for (const entry of manifest.shards) {
      const bin = path.join(dir, entry.bin);
      const idxFile = entry.idx ? path.join(dir, entry.idx) : idxPathFor(bin);
      const { idx, sha256: idxSha256 } = await readIdxWithSha256(idxFile);
      if (idx.dtype !== manifest.dtype) {
        throw new MassivetextError('bad_token_index', `${idxFile} holds ${idx.dtype} tokens but the manifest says ${manifest.dtype}`, 'rebuild the shards', { file: idxFile, offset: 17 });
      }
      let size: number;
      try {
        size = (await fs.stat(bin)).size;
      } catch (e) {
        throw new MassivetextError('missing_token_shard', `cannot read ${bin}, listed in ${path.join(dir, 'manifest.json')}`, 're-run `massivetext build`', { file: bin }, { cause: e });
      }
      let end = 0;
      for (let i = 0; i < idx.lengths.length; i++) end = Math.max(end, idx.pointers[i] + idx.lengths[i] * item);
      if (end > size || (entry.binBytes !== undefined && entry.binBytes !== size)) {
        throw new MassivetextError('bad_token_shard', `${bin} has ${size} bytes; its .idx needs ${end} and the manifest says ${entry.binBytes}`,
          'the .bin was truncated or replaced; rebuild the shards', { file: bin, offset: Math.min(size, end) });
      }
      parts.push({ lengths: idx.lengths, pointers: idx.pointers });
      shards.push({ bin, bytes: size, idxSha256 });
    }
    const D = parts.reduce((a, p) => a + p.lengths.length, 0);
    const lengths = new Int32Array(D);
    const shardOf = new Uint32Array(D);
    const offsetOf = new Float64Array(D);
    let k = 0;
    parts.forEach((p, s) => {
      lengths.set(p.lengths, k);
      shardOf.fill(s, k, k + p.lengths.length);
      for (let i = 0; i < p.lengths.length; i++) offsetOf[k + i] = p.pointers[i] / item;
      k += p.lengths.length;
    });
    return new TokenSource(dir, manifest, shards, lengths, shardOf, offsetOf);
  }

  get documents(): number {
    return this.lengths.length;
  }

  /** Loads every shard into memory (for subsets read more than about once). */
  async preload(): Promise<void> {
    for (let s = 0; s < this.shards.length; s++) {
      if (this.memory[s]) continue;
      const bytes = new Uint8Array(this.shards[s].bytes);
      const fh = await fs.open(this.shards[s].bin, 'r');
      try {
        let got = 0;
        while (got < bytes.length) {
          const { bytesRead } = await fh.read(bytes, got, Math.min(bytes.length - got, 1 << 30), got);
          if (!bytesRead) throw new MassivetextError('bad_token_shard', `${this.shards[s].bin} shrank while being read`, 'rebuild the shards', { file: this.shards[s].bin, offset: got });
          got += bytesRead;
        }
      } finally {
        await fh.close();
      }
      this.memory[s] = this.dtype === 'uint16' ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
    }
  }

  /**
   * Copies `n` token ranges into `dest`: range k is `count[k]` tokens of document `doc[k]` starting
   * `from[k]` tokens into it, placed at token `at[k]` of `dest`. Positional reads are issued sorted by
   * (shard, offset), and ranges that follow each other in a shard are read with one call when they
   * also follow each other in `dest`. `order` is scratch space of at least `n` entries.
   */
  readRanges(n: number, doc: Uint32Array, from: Float64Array, count: Float64Array, at: Float64Array, dest: TokenArray, order: Uint32Array): void {
    const item = bytesPerToken(this.dtype);
    const u8 = new Uint8Array(dest.buffer, dest.byteOffset, dest.byteLength);
    for (let i = 0; i < n; i++) order[i] = i;
    const o = order.subarray(0, n);
    o.sort((a, b) => this.shardOf[doc[a]] - this.shardOf[doc[b]] || (this.offsetOf[doc[a]] + from[a]) - (this.offsetOf[doc[b]] + from[b]));
    let j = 0;
    while (j < n) {
      const i = o[j];
      const d = doc[i];
      const s = this.shardOf[d];
      const start = this.offsetOf[d] + from[i];
      let tokens = count[i];
      // extend over ranges that continue this one both in the shard and in dest
      while (j + 1 < n) {
        const k = o[j + 1];
        if (this.shardOf[doc[k]] !== s || this.offsetOf[doc[k]] + from[k] !== start + tokens || at[k] !== at[i] + tokens) break;
        tokens += count[k];
        j++;
      }
      j++;
      if (tokens === 0) continue;
      const mem = this.memory[s];
      if (mem) {
        dest.set(mem.subarray(start, start + tokens), at[i]);
        continue;
      }
      let fd = this.fds[s];
      if (fd === null) fd = this.fds[s] = openSync(this.shards[s].bin, 'r');
      const want = tokens * item;
      let got = 0;
      while (got < want) {
        const r = readSync(fd, u8, at[i] * item + got, want - got, start * item + got);
        if (r === 0) {
          throw new MassivetextError('bad_token_shard', `unexpected end of ${this.shards[s].bin} reading document at token ${this.offsetOf[d]}`,
            'the shard changed while sampling; rebuild it', { file: this.shards[s].bin, offset: start * item + got });
        }
        got += r;
      }
    }
  }

  close(): void {
    for (let s = 0; s < this.fds.length; s++) {
      const fd = this.fds[s];
      if (fd !== null) closeSync(fd);
      this.fds[s] = null;
    }
    this.memory = this.memory.map(() => null);
  }
}
