/**
 * Streaming line reader over a file that may be plain, gzip (.gz) or zstd (.zst) compressed.
 * Yields lines with their 1-based number; memory is bounded by the longest line.
 * A truncated or corrupt compressed stream raises a RecordError naming the file and last good line.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { DecompressStream } from 'zstd-napi';
import { MassivetextError, RecordError } from './errors.js';

export interface Line {
  text: string;
  line: number;
}

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

export async function* readLines(file: string, compression?: Compression): AsyncGenerator<Line> {
  const stream = openDecompressed(file, compression);
  // Work on bytes: find newlines with Buffer.indexOf and decode each complete line once, so a long line
  // split over many chunks costs O(length), not O(length^2).
  let carry: Buffer[] = [];
  let carryLen = 0;
  let line = 0;
  const decode = (b: Buffer): string => {
    let end = b.length;
    if (end && b[end - 1] === 13) end--;
    return b.toString('utf8', 0, end);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        let bytes = chunk.subarray(start, nl);
        if (carryLen) {
          carry.push(bytes);
          bytes = Buffer.concat(carry, carryLen + bytes.length);
          carry = [];
          carryLen = 0;
        }
        line++;
        yield { text: decode(bytes), line };
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        carry.push(rest);
        carryLen += rest.length;
      }
    }
    if (carryLen) {
      line++;
      yield { text: decode(Buffer.concat(carry, carryLen)), line };
    }
  } catch (e) {
    throw streamError(e, file, line);
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

