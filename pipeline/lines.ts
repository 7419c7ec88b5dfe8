/**
 * Streaming line reader over a file that may be plain, gzip (.gz) or zstd (.zst) compressed.
 * Yields lines with their 1-based number; memory is bounded by `maxLineBytes` (a longer line, e.g. a
 * decompression bomb of zeros, is skipped without buffering it and reported, and reading goes on).
 * A truncated or corrupt compressed stream raises a RecordError naming the file and last good line.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import * as zlib from 'node:zlib';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { Readable } from 'node:stream';
import { DecompressStream } from 'zstd-napi';
import { MassivetextError, RecordError } from './errors.js';

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

/** zlib.crc32 (Node >= 20.15); without it only the size is checked. */
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/**
 * gzip decoding member by member (RFC 1952: a file may hold several members), so that everything inflated
 * is delivered before any error, and bytes after the last member are judged here: zero padding is
 * ignored (as gzip does), anything else is an error raised after all the data (zlib's gunzip stream would
 * drop the output of the final write, i.e. a whole small file, on trailing garbage).
 */
async function* gunzipMembers(raw: Readable): AsyncGenerator<Buffer> {
  const it = chunksThenError(raw)[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let eof = false;
  let members = 0;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done) {
      eof = true;
      return false;
    }
    pending = pending.length ? Buffer.concat([pending, r.value]) : r.value;
    return true;
  };
  const need = async (n: number): Promise<boolean> => {
    while (pending.length < n) if (!(await more())) return false;
    return true;
  };
  try {
    for (;;) {
      if (!(await need(1))) {
        if (!members) throw new Error('unexpected end of file (an empty gzip file)');
        return;
      }
      if (pending[0] !== 0x1f || ((await need(2)) && pending[1] !== 0x8b)) {
        // not a member header: zero padding is harmless, anything else is trailing garbage
        do {
          if (pending.some((b) => b !== 0)) {
            throw new Error(members ? 'trailing garbage after the last gzip member' : 'incorrect header check (not gzip data)');
          }
          pending = Buffer.alloc(0);
        } while (await more());
        return;
      }
      if (!(await need(10))) throw new Error('unexpected end of file');
      const flags = pending[3]!;
      let p = 10;
      if (flags & 4) {
        if (!(await need(p + 2))) throw new Error('unexpected end of file');
        p += 2 + pending.readUInt16LE(p);
      }
      for (const bit of [8, 16]) {
        if (!(flags & bit)) continue;
        for (;;) {
          if (!(await need(p + 1))) throw new Error('unexpected end of file');
          const z = pending.indexOf(0, p);
          if (z >= 0) {
            p = z + 1;
            break;
          }
          if (!(await more())) throw new Error('unexpected end of file');
        }
      }
      if (flags & 2) p += 2;
      if (!(await need(p))) throw new Error('unexpected end of file');
      pending = pending.subarray(p);
      const inf = createInflateRaw();
      const out: Buffer[] = [];
      let ended = false;
      let error: Error | null = null;
      inf.on('data', (c: Buffer) => out.push(c));
      inf.on('end', () => (ended = true));
      inf.on('error', (e) => (error = e));
      let fed = 0;
      let size = 0;
      let crc = 0;
      let last: Buffer = Buffer.alloc(0);
      while (!ended && !error) {
        if (!pending.length && !(await more())) {
          inf.destroy();
          throw new Error('unexpected end of file');
        }
        // small slices: deflate expands up to 1032:1, so a 64 KiB read of a bomb would be 66 MB of output at once
        last = pending.subarray(0, 16 << 10);
        fed += last.length;
        pending = pending.subarray(last.length);
        await new Promise<void>((resolve) => {
          const done = () => {
            inf.off('error', done);
            resolve();
          };
          inf.once('error', done);
          inf.write(last, done);
        });
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const c of out.splice(0)) {
          size += c.length;
          if (crc32) crc = crc32(c, crc);
          yield c;
        }
      }
      if (error) throw error;
      const unused = fed - inf.bytesWritten;
      if (unused > 0) pending = pending.length ? Buffer.concat([last.subarray(last.length - unused), pending]) : last.subarray(last.length - unused);
      inf.destroy();
      if (!(await need(8))) throw new Error('unexpected end of file (gzip trailer)');
      // RFC 1952 trailer: CRC-32 and size of the member's data; corrupt deflate data can inflate without error.
      if (pending.readUInt32LE(4) !== size % 2 ** 32 || (crc32 && pending.readUInt32LE(0) !== crc >>> 0)) {
        throw new Error('incorrect data check (gzip CRC or size mismatch: the data is corrupt)');
      }
      pending = pending.subarray(8);
      members++;
    }
  } finally {
    await it.return?.(undefined);
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

