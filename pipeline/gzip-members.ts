/**
 * What every reader of multi-member gzip (RFC 1952: a file may hold several members, e.g. one per WARC
 * record) needs, whatever it does on damage: a buffer of compressed input with its byte offset, the member
 * header parser, the inflation of one member in small slices, the trailer and the search for the next
 * header. The policy (throw at the first damage, or report it and resume at the next member) stays with
 * the caller: pipeline/lines.ts throws, stages/web/gzip-members.ts resumes.
 *
 * Memory: a member is fed to the inflater 16 KiB at a time, so a decompression bomb never inflates more
 * than ~16 MiB at once (deflate expands up to 1032:1; the bad-input tests bound peak RSS on bombs).
 */
import * as zlib from 'node:zlib';
import { createInflateRaw } from 'node:zlib';

const MAGIC0 = 0x1f;
const MAGIC1 = 0x8b;
/** CM 8 (deflate), the only compression method RFC 1952 defines. */
const DEFLATE = 8;

/** zlib.crc32 (Node >= 20.15); without it only the size can be checked. */
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

export interface GzipMemberReaderOptions {
  /** Compressed bytes given to the inflater at a time: deflate expands up to 1032:1, so a 1 MiB slice of a
   *  bomb would be 1 GiB of output at once; 16 KiB keeps it at ~16 MiB. */
  feedBytes: number;
  /** Output chunk size of the inflater (zlib's default is 16 KiB). */
  chunkSize: number;
  /** Compressed bytes of the current member kept so that `rewind` can search them for the next header
   *  after a corrupt member (0: none kept). */
  keepBytes: number;
  /** Compute each member's CRC-32 (when zlib.crc32 exists) so the caller can check the trailer with it. */
  crc: boolean;
}

export const defaultGzipMemberReaderOptions: GzipMemberReaderOptions = {
  feedBytes: 16 << 10,
  chunkSize: 16 << 10,
  keepBytes: 0,
  crc: false,
};

/** How the inflation of one member ended. On 'ok' the input stands at the member's 8-byte trailer. */
export type GzipMemberEnd =
  | { status: 'ok'; size: number; crc?: number }
  | { status: 'corrupt'; size: number; error: Error }
  | { status: 'truncated'; size: number };

/** The 8-byte trailer of a member: CRC-32 and size (mod 2^32) of its data. */
export interface GzipTrailer {
  crc: number;
  isize: number;
}

export class GzipMemberReader {
  /** Unread compressed bytes; pending[0] is at compressed offset `offset`. */
  pending: Buffer = Buffer.alloc(0);
  offset = 0;
  /** Compressed bytes received from the input so far. */
  received = 0;
  private readonly o: GzipMemberReaderOptions;
  private readonly it: AsyncIterator<Uint8Array>;
  private eof = false;
  /** The current member's compressed bytes fed so far (at most keepBytes, the latest), from keptOffset. */
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private keptOffset = 0;

  constructor(input: AsyncIterable<Uint8Array>, options: Partial<GzipMemberReaderOptions> = {}) {
    this.o = { ...defaultGzipMemberReaderOptions, ...options };
    this.it = input[Symbol.asyncIterator]();
  }

  /** Appends the next input chunk to `pending`; false at the end of the input. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    const r = await this.it.next();
    if (r.done) {
      this.eof = true;
      return false;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.received += b.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, b]) : b;
    return true;
  }

  /** Reads until at least n bytes are pending; false if the input ends first. */
  async need(n: number): Promise<boolean> {
    while (this.pending.length < n) if (!(await this.more())) return false;
    return true;
  }

  consume(n: number): void {
    this.pending = this.pending.subarray(n);
    this.offset += n;
  }

  /**
   * Length of the member header at the start of `pending` (RFC 1952 section 2.3): -1 when the bytes are not
   * a gzip header, -2 when the input ends before the header does. Consumes nothing.
   */
  async headerLength(): Promise<number> {
    if (!(await this.need(10))) {
      const b = this.pending;
      return b.length >= 2 && (b[0] !== MAGIC0 || b[1] !== MAGIC1) ? -1 : -2;
    }
    let b = this.pending;
    if (b[0] !== MAGIC0 || b[1] !== MAGIC1 || b[2] !== DEFLATE) return -1;
    const flags = b[3]!;
    let p = 10;
    if (flags & 4) {
      // FEXTRA
      if (!(await this.need(p + 2))) return -2;
      b = this.pending;
      p += 2 + b.readUInt16LE(p);
    }
    for (const bit of [8, 16]) {
      // FNAME, FCOMMENT: zero-terminated
      if (!(flags & bit)) continue;
      for (;;) {
        if (!(await this.need(p + 1))) return -2;
        b = this.pending;
        const z = b.indexOf(0, p);
        if (z >= 0) {
          p = z + 1;
          break;
        }
        if (!(await this.need(b.length + 1))) return -2;
      }
    }
    if (flags & 2) p += 2; // FHCRC
    if (!(await this.need(p))) return -2;
    return p;
  }

  /**
   * Inflates the member whose deflate data starts at `pending[0]` (its header consumed), yielding the data in
   * order, fed `feedBytes` at a time; returns how it ended. Bytes after the deflate data stay pending.
   */
  async *inflate(): AsyncGenerator<Buffer, GzipMemberEnd> {
    const inf = createInflateRaw({ chunkSize: this.o.chunkSize });
    const out: Buffer[] = [];
    let ended = false;
    let error: Error | null = null;
    inf.on('data', (c: Buffer) => out.push(c));
    inf.on('end', () => (ended = true));
    inf.on('error', (e) => (error = e));
    this.kept = [];
    this.keptBytes = 0;
    this.keptOffset = this.offset;
    let fed = 0;
    let size = 0;
    let crc = 0;
    const withCrc = this.o.crc && crc32 !== undefined;
    let last: Buffer = Buffer.alloc(0);
    try {
      while (!ended && !error) {
        if (!this.pending.length && !(await this.more())) return { status: 'truncated', size };
        last = this.pending.subarray(0, this.o.feedBytes);
        fed += last.length;
        if (this.o.keepBytes > 0) {
          this.kept.push(last);
          this.keptBytes += last.length;
          while (this.keptBytes > this.o.keepBytes && this.kept.length > 1) {
            const d = this.kept.shift()!;
            this.keptBytes -= d.length;
            this.keptOffset += d.length;
          }
        }
        this.consume(last.length);
        await new Promise<void>((resolve) => {
          // The write callback is not called when inflation fails, so settle on 'error' too.
          const done = () => {
            inf.off('error', done);
            resolve();
          };
          inf.once('error', done);
          inf.write(last, done);
        });
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const c of out) {
          size += c.length;
          if (withCrc) crc = crc32!(c, crc);
          yield c;
        }
        out.length = 0;
      }
      if (error) return { status: 'corrupt', size, error };
      // Bytes of the last slice the inflater did not consume belong to the trailer and the next member.
      const unused = fed - inf.bytesWritten;
      if (unused > 0) {
        const tail = last.subarray(last.length - unused);
        this.pending = this.pending.length ? Buffer.concat([tail, this.pending]) : tail;
        this.offset -= unused;
      }
      return withCrc ? { status: 'ok', size, crc: crc >>> 0 } : { status: 'ok', size };
    } finally {
      inf.destroy();
    }
  }

  /** The 8-byte member trailer at the start of `pending` (not consumed); null if the input ends first. */
  async trailer(): Promise<GzipTrailer | null> {
    if (!(await this.need(8))) return null;
    return { crc: this.pending.readUInt32LE(0), isize: this.pending.readUInt32LE(4) };
  }

  /** Puts the kept compressed bytes of the last inflated member back in front of `pending`, so the next
   *  header can be searched for from just after that member's header (after it turned out corrupt). */
  rewind(): void {
    const keptEnd = this.keptOffset + this.keptBytes;
    if (!this.kept.length || this.offset > keptEnd) return;
    this.pending = Buffer.concat([...this.kept, this.pending.subarray(keptEnd - this.offset)]);
    this.offset = this.keptOffset;
    this.kept = [];
    this.keptBytes = 0;
  }

  /** Drops bytes up to the next plausible member header after `pending[0]`; false at the end of input. */
  async skipToNextHeader(): Promise<boolean> {
    for (;;) {
      const i = findMagic(this.pending, 1);
      if (i >= 0) {
        this.consume(i);
        return true;
      }
      // keep the last byte: it may be the first magic byte
      if (this.pending.length > 1) this.consume(this.pending.length - 1);
      if (!(await this.more())) {
        this.consume(this.pending.length);
        return false;
      }
    }
  }

  /** Stops the input (closes its file or socket). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function findMagic(b: Buffer, from: number): number {
  for (let i = b.indexOf(MAGIC0, from); i >= 0 && i < b.length; i = b.indexOf(MAGIC0, i + 1)) {
    if (i + 2 >= b.length) return i; // possibly a header split across chunks
    if (b[i + 1] === MAGIC1 && b[i + 2] === DEFLATE) return i;
  }
  return -1;
}
