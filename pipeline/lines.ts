/**
 * Streaming line reader over a file that may be plain, gzip (.gz) or zstd (.zst) compressed.
 * Yields lines with their 1-based number; memory is bounded by `maxLineBytes` (a longer line, e.g. a
 * decompression bomb of zeros, is skipped without buffering it and reported, and reading goes on).
 * A truncated or corrupt compressed stream raises a RecordError naming the file and last good line.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { DecompressStream } from 'zstd-napi';
import { MassivetextError, RecordError } from './errors.js';
import { GzipMemberReader } from './gzip-members.js';

export interface Line {
  text: string;
  line: number;
  /** Set when the line's bytes are not valid UTF-8 (text then holds U+FFFD replacements). */
  invalidUtf8?: true;
}

export interface ReadLinesOptions {
  /** Longest line read (bytes). Twice the largest real document we keep whole (a 100 MB text, issue 12)
   *  plus JSON escaping room; far below V8's string limit (2^29 - 24 code units). */
  maxLineBytes: number;
  /** Receives each over-long line (file, line number, byte offset) as a RecordError; without it, the
   *  first such error is thrown once the rest of the file has been read. */
  onError?: (e: RecordError) => void;
}

export const defaultReadLinesOptions: ReadLinesOptions = { maxLineBytes: 256 << 20 };

export type Compression = 'none' | 'gzip' | 'zstd';

export function compressionOf(file: string): Compression {
  if (file.endsWith('.zst') || file.endsWith('.zstd')) return 'zstd';
  if (file.endsWith('.gz')) return 'gzip';
  return 'none';
}

/** Opens a file as a stream of decompressed bytes. */
export function openDecompressed(file: string, compression: Compression = compressionOf(file)): Readable {
  const raw = file === '-' ? process.stdin : createReadStream(file);
  if (compression === 'none') return raw;
  const decoder = compression === 'gzip' ? createGunzip() : new DecompressStream();
  raw.on("error", (e: Error) => decoder.destroy(e));
  return raw.pipe(decoder);
}

/**
 * The chunks of a stream, every chunk emitted before an error first, then the error. (Iterating a stream
 * directly loses the output a decompressor buffered before failing: a gzip file with trailing garbage
 * would yield nothing at all.)
 */
async function* chunksThenError(stream: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let error: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('data', (c: Buffer) => {
    queue.push(c);
    if (queue.length >= 16) stream.pause();
    poke();
  });
  stream.on('error', (e) => {
    error = e;
    poke();
  });
  stream.on('end', () => {
    ended = true;
    poke();
  });
  stream.on('close', () => {
    ended = true;
    poke();
  });
  try {
    for (;;) {
      const c = queue.shift();
      if (c) {
        if (queue.length < 4 && stream.isPaused()) stream.resume();
        yield c;
        continue;
      }
      if (error) throw error;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stream.destroy();
  }
}

/**
 * gzip decoding member by member (RFC 1952: a file may hold several members), so that everything inflated
 * is delivered before any error, and bytes after the last member are judged here: zero padding is
 * ignored (as gzip does), anything else is an error raised after all the data (zlib's gunzip stream would
 * drop the output of the final write, i.e. a whole small file, on trailing garbage). Each member's size
 * and CRC-32 are checked against its trailer: corrupt deflate data can inflate without error.
 */
async function* gunzipMembers(raw: Readable): AsyncGenerator<Buffer> {
  const gz = new GzipMemberReader(chunksThenError(raw), { crc: true });
  let members = 0;
  try {
    for (;;) {
      if (!(await gz.need(1))) {
        if (!members) throw new Error('unexpected end of file (an empty gzip file)');
        return;
      }
      const header = gz.pending[0] !== 0x1f ? -1 : await gz.headerLength();
      if (header === -1) {
        // not a member header: zero padding is harmless, anything else is trailing garbage
        do {
          if (gz.pending.some((b) => b !== 0)) {
            throw new Error(members ? 'trailing garbage after the last gzip member' : 'incorrect header check (not gzip data)');
          }
          gz.consume(gz.pending.length);
        } while (await gz.more());
        return;
      }
      if (header === -2) throw new Error('unexpected end of file');
      gz.consume(header);
      const end = yield* gz.inflate();
      if (end.status === 'truncated') throw new Error('unexpected end of file');
      if (end.status === 'corrupt') throw end.error;
      const trailer = await gz.trailer();
      if (!trailer) throw new Error('unexpected end of file (gzip trailer)');
      if (trailer.isize !== end.size % 2 ** 32 || (end.crc !== undefined && trailer.crc !== end.crc)) {
        throw new Error('incorrect data check (gzip CRC or size mismatch: the data is corrupt)');
      }
      gz.consume(8);
      members++;
    }
  } finally {
    await gz.close();
  }
}

/** The decompressed bytes of a file (or stdin, "-") as chunks; an error comes after all data before it. */
function decompressedChunks(file: string, compression: Compression): AsyncGenerator<Buffer> {
  const raw = file === '-' ? process.stdin : createReadStream(file);
  if (compression === 'gzip') return gunzipMembers(raw);
  if (compression === 'none') return chunksThenError(raw);
  const decoder = new DecompressStream();
  raw.on('error', (e: Error) => decoder.destroy(e));
  return chunksThenError(raw.pipe(decoder));
}

export async function* readLines(file: string, compression?: Compression, options: Partial<ReadLinesOptions> = {}): AsyncGenerator<Line> {
  const o = { ...defaultReadLinesOptions, ...options };
  const stream = decompressedChunks(file, compression ?? compressionOf(file));
  // Work on bytes: find newlines with Buffer.indexOf and decode each complete line once, so a long line
  // split over many chunks costs O(length), not O(length^2).
  let carry: Buffer[] = [];
  let carryLen = 0;
  let line = 0;
  let chunkBase = 0; // decompressed offset of the current chunk's first byte
  let lineStart = 0; // decompressed offset of the current line's first byte
  let skipping = false; // inside an over-long line: bytes are dropped up to its newline
  let firstError: RecordError | null = null;
  let tooLong = 0;
  const reportTooLong = (bytes: number) => {
    const e = new RecordError('line_too_long', `${file}, line ${line}: line of ${bytes} bytes is over the ${o.maxLineBytes}-byte cap; skipped`,
      { file, line, offset: lineStart }, 'a line this long is corrupt or hostile (e.g. a decompression bomb); split the document or raise maxLineBytes');
    tooLong++;
    if (o.onError) o.onError(e);
    else firstError ??= e;
  };
  const decode = (b: Buffer): Line => {
    let end = b.length;
    if (end && b[end - 1] === 13) end--;
    const l: Line = { text: b.toString('utf8', 0, end), line };
    if (!isUtf8(b)) l.invalidUtf8 = true;
    return l;
  };
  try {
    for await (const chunk of stream) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        line++;
        const size = chunkBase + nl - lineStart;
        if (skipping || size > o.maxLineBytes) {
          skipping = false;
          carry = [];
          carryLen = 0;
          reportTooLong(size);
        } else {
          let bytes = chunk.subarray(start, nl);
          if (carryLen) {
            carry.push(bytes);
            bytes = Buffer.concat(carry, carryLen + bytes.length);
            carry = [];
            carryLen = 0;
          }
          yield decode(bytes);
        }
        start = nl + 1;
        lineStart = chunkBase + start;
      }
      if (start < chunk.length && !skipping) {
        if (carryLen + chunk.length - start > o.maxLineBytes) {
          // Over the cap: stop buffering; the line is reported when its newline (or the end) comes.
          skipping = true;
          carry = [];
          carryLen = 0;
        } else {
          const rest = chunk.subarray(start);
          carry.push(rest);
          carryLen += rest.length;
        }
      }
      chunkBase += chunk.length;
    }
    if (skipping) {
      line++;
      reportTooLong(chunkBase - lineStart);
    } else if (carryLen) {
      line++;
      yield decode(Buffer.concat(carry, carryLen));
    }
  } catch (e) {
    throw streamError(e, file, line);
  }
  if (firstError) {
    const e: RecordError = firstError;
    throw tooLong > 1 ? new RecordError(e.code, `${e.message} (and ${tooLong - 1} more over-long line(s))`, e.position, e.hint) : e;
  }
}

export function streamError(e: unknown, file: string, line: number): MassivetextError {
  if (e instanceof MassivetextError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EISDIR') {
    return new MassivetextError('unreadable_input', `cannot read ${file}: ${err.message}`,
      'check that the path exists and is a readable file', { file }, { cause: e });
  }
  return new RecordError('truncated_input',
    `${file}: compressed stream is truncated or corrupt after line ${line}: ${err?.message ?? String(e)}`,
    { file, line: line + 1 }, 'the documents before this point were read; re-download or regenerate the file', { cause: e });
}

