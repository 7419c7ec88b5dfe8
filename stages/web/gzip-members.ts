/**
 * Streaming inflation of multi-member gzip files (WARC/ARC `.gz` are one gzip member per record) that keeps
 * each member's byte offset in the compressed file, so records and errors can name the offset a CDX index
 * would use. Memory stays bounded by the chunk size even when a whole file is one member. Parsing and
 * inflating members is pipeline/gzip-members.ts (shared with the line reader); this file is the policy.
 * A corrupt member is reported through `onError` and skipped: the inflater searches for the next gzip
 * header and yields STREAM_BREAK there, so the reader abandons the record it was in and resumes.
 */
import { STREAM_BREAK, type ByteChunk } from '../../pipeline/byte-reader.js';
import { GzipMemberReader, type GzipMemberEnd } from '../../pipeline/gzip-members.js';

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

/** Compressed bytes of the current member kept to resynchronise after a corrupt member. */
const KEEP_FOR_RESYNC = 16 << 20;

export class GzipMemberInflater {
  /** Members seen so far, in order (only the most recent few are kept). */
  private members: GzipMember[] = [];
  decompressedBytes = 0;
  memberCount = 0;
  private compressedBefore = 0;
  private reader: GzipMemberReader | null = null;

  constructor(private readonly onError: (e: GzipMemberError) => void = () => {}) {}

  /** Compressed bytes read so far. */
  get compressedBytes(): number {
    return this.compressedBefore + (this.reader?.received ?? 0);
  }

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
    this.compressedBefore = this.compressedBytes;
    const gz = new GzipMemberReader(input, { chunkSize: 64 << 10, keepBytes: KEEP_FOR_RESYNC });
    this.reader = gz;
    try {
      for (;;) {
        if (!(await gz.need(1))) return;
        const memberOffset = gz.offset;
        const headerLen = await gz.headerLength();
        if (headerLen < 0) {
          if (headerLen === -2) {
            // Not enough bytes for a header: trailing bytes (often zero padding) at the end.
            if (gz.pending.some((b) => b !== 0)) {
              this.onError({ code: 'truncated_gzip', message: `gzip input ends inside a member header`, offset: memberOffset });
            }
            return;
          }
          if (this.memberCount === 0 && memberOffset === 0) {
            this.onError({ code: 'gzip_garbage', message: 'input is not gzip-compressed', offset: 0 });
            return;
          }
          // Bytes that are not a gzip header: zero padding is harmless, anything else is reported.
          if (gz.pending.every((b) => b === 0)) {
            gz.consume(gz.pending.length);
            while (await gz.more()) {
              if (!gz.pending.every((b) => b === 0)) break;
              gz.consume(gz.pending.length);
            }
            if (!gz.pending.length) return;
            continue;
          }
          this.onError({ code: 'gzip_garbage', message: `bytes that are not a gzip member`, offset: memberOffset });
          yield STREAM_BREAK;
          if (!(await gz.skipToNextHeader())) return;
          continue;
        }
        gz.consume(headerLen);
        this.addMember({ compressedOffset: memberOffset, decompressedOffset: this.decompressedBytes });

        // Inflate the deflate stream; it ends on its own at the member's end.
        const data = gz.inflate();
        let r: IteratorResult<Buffer, GzipMemberEnd>;
        try {
          while (!(r = await data.next()).done) {
            this.decompressedBytes += r.value.length;
            yield r.value;
          }
        } finally {
          await data.return({ status: 'truncated', size: 0 });
        }
        const end = r.value;
        if (end.status === 'truncated') {
          this.onError({ code: 'truncated_gzip', message: 'gzip member is truncated (input ends inside it)', offset: memberOffset });
          return;
        }
        if (end.status === 'corrupt') {
          this.onError({ code: 'corrupt_gzip', message: `corrupt gzip member: ${end.error.message}`, offset: memberOffset });
          yield STREAM_BREAK;
          // Search for the next member from just after this one's header, in the bytes fed so far.
          gz.rewind();
          if (!(await gz.skipToNextHeader())) return;
          continue;
        }
        // 8-byte trailer: CRC32 and ISIZE.
        const trailer = await gz.trailer();
        if (!trailer) {
          this.onError({ code: 'truncated_gzip', message: 'gzip member trailer is truncated', offset: memberOffset });
          gz.consume(gz.pending.length);
          return;
        }
        if (trailer.isize !== end.size % 2 ** 32) {
          // ISIZE mismatch: a cut member whose deflate data ran on into the next members' bytes and happened
          // to decode. Report it and search for the next member from just after this one's header.
          this.onError({ code: 'corrupt_gzip', message: `corrupt gzip member: ${end.size} bytes inflated but the trailer says ${trailer.isize}`, offset: memberOffset });
          yield STREAM_BREAK;
          gz.rewind();
          if (!(await gz.skipToNextHeader())) return;
          continue;
        }
        gz.consume(8);
      }
    } finally {
      await gz.close();
    }
  }
}
