/**
 * Duplicate edges: pairs of documents (part, ordinal) -> (part, ordinal), 16 bytes each, written by the
 * bucket/merge phase (one file per section) and read by the clustering phase. Streamed both ways.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AtomicWriter } from '../../../pipeline/atomic-file.js';
import { MassivetextError } from '../../../pipeline/errors.js';

const CHUNK_EDGES = 4096;

export class EdgeWriter {
  private out: AtomicWriter;
  private buf = new Uint32Array(CHUNK_EDGES * 4);
  private n = 0;
  edges = 0;

  private constructor(out: AtomicWriter) {
    this.out = out;
  }

  static async open(file: string): Promise<EdgeWriter> {
    return new EdgeWriter(await AtomicWriter.open(file));
  }

  async add(pa: number, oa: number, pb: number, ob: number): Promise<void> {
    const o = this.n * 4;
    this.buf[o] = pa;
    this.buf[o + 1] = oa;
    this.buf[o + 2] = pb;
    this.buf[o + 3] = ob;
    this.edges++;
    if (++this.n === CHUNK_EDGES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.n) return;
    await this.out.write(new Uint8Array(this.buf.buffer.slice(0, this.n * 16)));
    this.n = 0;
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.out.commit();
  }

  async abort(): Promise<void> {
    await this.out.abort();
  }
}

/** Calls fn for every edge in the file. */
export function forEachEdge(file: string, fn: (pa: number, oa: number, pb: number, ob: number) => void): number {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size % 16) {
      throw new MassivetextError('bad_dedup_file', `${file}: size ${size} is not a multiple of 16 bytes`,
        'delete the dedup work directory and re-run the bucket phase', { file });
    }
    const buf = new Uint32Array(CHUNK_EDGES * 4);
    let pos = 0;
    let n = 0;
    while (pos < size) {
      const bytes = Math.min(buf.byteLength, size - pos);
      readSync(fd, buf, 0, bytes, pos);
      for (let o = 0; o < bytes / 4; o += 4) fn(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
      pos += bytes;
      n += bytes / 16;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}
