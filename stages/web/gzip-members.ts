/**
 * Streaming inflation of multi-member gzip files (WARC/ARC `.gz` are one gzip member per record) that keeps
 * each member's byte offset in the compressed file, so records and errors can name the offset a CDX index
 * would use. Memory stays bounded by the chunk size even when a whole file is one member.
 * A corrupt member is reported through `onError` and skipped: the inflater searches for the next gzip
 * header and yields STREAM_BREAK there, so the reader abandons the record it was in and resumes.
 */
import { createInflateRaw, type InflateRaw } from 'node:zlib';
import { STREAM_BREAK, type ByteChunk } from './byte-reader.js';

export interface GzipMember {
  /** Offset of the member's gzip header in the compressed input. */
  compressedOffset: number;
  /** Offset of the member's first decompressed byte in the decompressed stream. */
  decompressedOffset: number;
}

export interface GzipMemberError {
  code: 'corrupt_gzip' | 'truncated_gzip' | 'gzip_garbage';
  message: string;
  offset: number;
}

const MAGIC0 = 0x1f;
const MAGIC1 = 0x8b;
/** Compressed bytes of the current member kept to resynchronise after a corrupt member. */
const KEEP_FOR_RESYNC = 16 << 20;
/** Compressed bytes given to the inflater at a time (at most ~16 MiB of output per step). */
const FEED_BYTES = 16 << 10;

export class GzipMemberInflater {
  /** Members seen so far, in order (only the most recent few are kept). */
  private members: GzipMember[] = [];
  decompressedBytes = 0;
  compressedBytes = 0;
  memberCount = 0;

  constructor(private readonly onError: (e: GzipMemberError) => void = () => {}) {}

  /** The member that contains decompressed position p (the latest one starting at or before p). */
  memberAt(p: number): GzipMember | undefined {
    for (let i = this.members.length - 1; i >= 0; i--) if (this.members[i]!.decompressedOffset <= p) return this.members[i];
    return this.members[0];
  }

  private addMember(m: GzipMember): void {
    this.members.push(m);
    this.memberCount++;
    if (this.members.length > 64) this.members.splice(0, this.members.length - 64);
  }

  async *inflate(input: AsyncIterable<Uint8Array>): AsyncGenerator<ByteChunk> {
    const it = input[Symbol.asyncIterator]();
    let pending: Buffer = Buffer.alloc(0);
    let pendingOffset = 0; // compressed offset of pending[0]
    let eof = false;
    const more = async (): Promise<boolean> => {
      if (eof) return false;
      const r = await it.next();
      if (r.done) {
        eof = true;
        return false;
      }
      const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      this.compressedBytes += b.length;
      pending = pending.length ? Buffer.concat([pending, b]) : b;
      return true;
    };
    const need = async (n: number): Promise<boolean> => {
      while (pending.length < n) if (!(await more())) return false;
      return true;
    };
    const consume = (n: number) => {
      pending = pending.subarray(n);
      pendingOffset += n;
    };
    /** Drops bytes up to the next plausible gzip header; returns false at EOF. */
    const resync = async (): Promise<boolean> => {
      for (;;) {
        const i = findMagic(pending, 1);
        if (i >= 0) {
          consume(i);
          return true;
        }
        // keep the last byte: it may be the first magic byte
        if (pending.length > 1) consume(pending.length - 1);
        if (!(await more())) {
          consume(pending.length);
          return false;
        }
      }
    };

    try {
      for (;;) {
        if (!(await need(1))) return;
        const memberOffset = pendingOffset;
        const headerLen = await parseHeaderLength(pending, need, () => pending);
        if (headerLen < 0) {
          if (headerLen === -2) {
            // Not enough bytes for a header: trailing bytes (often zero padding) at the end.
            if (pending.some((b) => b !== 0)) {
              this.onError({ code: 'truncated_gzip', message: `gzip input ends inside a member header`, offset: memberOffset });
            }
            return;
          }
          if (this.memberCount === 0 && memberOffset === 0) {
            this.onError({ code: 'gzip_garbage', message: 'input is not gzip-compressed', offset: 0 });
            return;
          }
          // Bytes that are not a gzip header: zero padding is harmless, anything else is reported.
          if (pending.every((b) => b === 0)) {
            consume(pending.length);
            while (await more()) {
              if (!pending.every((b) => b === 0)) break;
              consume(pending.length);
            }
            if (!pending.length) return;
            continue;
          }
          this.onError({ code: 'gzip_garbage', message: `bytes that are not a gzip member`, offset: memberOffset });
          yield STREAM_BREAK;
          if (!(await resync())) return;
          continue;
        }
        consume(headerLen);
        this.addMember({ compressedOffset: memberOffset, decompressedOffset: this.decompressedBytes });

        // Inflate the deflate stream; it ends on its own at the member's end.
        const inf: InflateRaw = createInflateRaw({ chunkSize: 64 * 1024 });
        const out: Buffer[] = [];
        let ended = false;
        let error: Error | null = null;
        inf.on('data', (c: Buffer) => out.push(c));
        inf.on('end', () => (ended = true));
        inf.on('error', (e) => (error = e));
        let fed = 0;
        let memberOut = 0;
        let last: Buffer = Buffer.alloc(0);
        // Compressed bytes fed to this member (bounded), to search them for the next header if it is corrupt.
        const kept: Buffer[] = [];
        let keptBytes = 0;
        let keptOffset = pendingOffset;
        let truncated = false;
        while (!ended && !error) {
          if (!pending.length && !(await more())) {
            truncated = true;
            break;
          }
          // small slices: deflate expands up to 1032:1, so a 1 MiB read of a bomb would be 1 GiB of output at once
          last = pending.subarray(0, FEED_BYTES);
          fed += last.length;
          kept.push(last);
          keptBytes += last.length;
          while (keptBytes > KEEP_FOR_RESYNC && kept.length > 1) {
            const d = kept.shift()!;
            keptBytes -= d.length;
            keptOffset += d.length;
          }
          consume(last.length);
          await new Promise<void>((resolve) => {
            // The write callback is not called when inflation fails, so settle on 'error' too.
            const done = () => { inf.off('error', done); resolve(); };
            inf.once('error', done);
            inf.write(last, done);
          });
          await new Promise<void>((resolve) => setImmediate(resolve));
          for (const c of out) {
            this.decompressedBytes += c.length;
            memberOut += c.length;
            yield c;
          }
          out.length = 0;
        }
        if (error !== null || truncated) {
          inf.destroy();
          if (truncated) {
            this.onError({ code: 'truncated_gzip', message: 'gzip member is truncated (input ends inside it)', offset: memberOffset });
            return;
          }
          this.onError({ code: 'corrupt_gzip', message: `corrupt gzip member: ${(error as unknown as Error).message}`, offset: memberOffset });
          yield STREAM_BREAK;
          // Search for the next member from just after this one's header, in the bytes fed so far.
          pending = Buffer.concat([...kept, pending]);
          pendingOffset = keptOffset;
          if (!(await resync())) return;
          continue;
        }
        // Bytes of `last` the inflater did not consume belong to the trailer and the next member.
        const unused = fed - inf.bytesWritten;
        if (unused > 0) {
          const tail = last.subarray(last.length - unused);
          pending = pending.length ? Buffer.concat([tail, pending]) : tail;
          pendingOffset -= unused;
        }
        inf.destroy();
        // 8-byte trailer: CRC32 and ISIZE.
        if (!(await need(8))) {
          this.onError({ code: 'truncated_gzip', message: 'gzip member trailer is truncated', offset: memberOffset });
          consume(pending.length);
          return;
        }
        if (pending.readUInt32LE(4) !== memberOut % 2 ** 32) {
          // ISIZE mismatch: a cut member whose deflate data ran on into the next members' bytes and happened
          // to decode. Report it and search for the next member from just after this one's header.
          this.onError({ code: 'corrupt_gzip', message: `corrupt gzip member: ${memberOut} bytes inflated but the trailer says ${pending.readUInt32LE(4)}`, offset: memberOffset });
          yield STREAM_BREAK;
          pending = Buffer.concat([...kept, pending.subarray(Math.max(0, unused))]);
          pendingOffset = keptOffset;
          if (!(await resync())) return;
          continue;
        }
        consume(8);
      }
    } finally {
      await it.return?.();
    }
  }
}

function findMagic(b: Buffer, from: number): number {
  for (let i = b.indexOf(MAGIC0, from); i >= 0 && i < b.length; i = b.indexOf(MAGIC0, i + 1)) {
    if (i + 2 >= b.length) return i; // possibly a header split across chunks
    if (b[i + 1] === MAGIC1 && b[i + 2] === 8) return i;
  }
  return -1;
}

/**
 * Length of the gzip member header at the start of the buffer (RFC 1952 section 2.3): -1 when the bytes
 * are not a gzip header, -2 when the input ends before the header does.
 */
async function parseHeaderLength(_b: Buffer, need: (n: number) => Promise<boolean>, cur: () => Buffer): Promise<number> {
  if (!(await need(10))) {
    const b = cur();
    return b.length >= 2 && (b[0] !== MAGIC0 || b[1] !== MAGIC1) ? -1 : -2;
  }
  let b = cur();
  if (b[0] !== MAGIC0 || b[1] !== MAGIC1 || b[2] !== 8) return -1;
  const flags = b[3]!;
  let p = 10;
  if (flags & 4) {
    if (!(await need(p + 2))) return -2;
    b = cur();
    const xlen = b.readUInt16LE(p);
    p += 2 + xlen;
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      for (;;) {
        if (!(await need(p + 1))) return -2;
        b = cur();
        const z = b.indexOf(0, p);
        if (z >= 0) {
          p = z + 1;
          break;
        }
        if (!(await need(b.length + 1))) return -2;
      }
    }
  }
  if (flags & 2) p += 2;
  if (!(await need(p))) return -2;
  return p;
}
