/**
 * Streaming reader of tar archives (`.tar`, `.tar.gz`, `.tgz`): ustar, GNU long names (`L`/`K`) and pax
 * extended headers (`x`; `g` ignored). Nothing is written to disk: entries come out as (header, bytes), so
 * an entry can never land outside a target directory; paths that would (absolute, `..`) are flagged by
 * the caller (safe-path.ts). File contents larger than `maxFileBytes` are skipped without being buffered,
 * so memory is bounded by that cap.
 *
 * A corrupt header (bad checksum) or a truncated stream ends the archive with a RecordError giving the
 * byte offset in the tar stream; the entries before it have already been yielded.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ByteReader, RecordError } from '../../pipeline/index.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  size: number;
  /** Target of a symlink or hardlink. */
  linkname: string;
  /** Offset of the entry's header in the (decompressed) tar stream. */
  offset: number;
  /** Contents of a regular file of at most maxFileBytes; undefined when skipped (too large, or not wanted). */
  data?: Buffer;
}

export interface TarReadOptions {
  maxFileBytes: number;
  /** Which files' bytes to read (others are skipped without buffering); default all. */
  wantData: (path: string) => boolean;
}

function cString(b: Buffer, start: number, len: number): string {
  let end = start;
  const stop = start + len;
  while (end < stop && b[end] !== 0) end++;
  return b.toString('utf8', start, end);
}

function octal(b: Buffer, start: number, len: number): number {
  if (b[start]! & 0x80) {
    // GNU base-256 for sizes >= 8 GiB
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = cString(b, start, len).trim();
  return s === '' ? 0 : Number.parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = octal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(32, i);
    if (sp < 0) break;
    const len = Number.parseInt(data.toString('utf8', i, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1); // drop trailing \n
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export function isTarPath(file: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/i.test(file);
}

/** Opens a tar file (gunzipping .tar.gz/.tgz) as a byte stream. */
export function openTar(file: string): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (/\.tar$/i.test(file)) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/**
 * Yields the entries of a tar archive. Errors (corrupt header, truncated stream, gzip failure) throw a
 * RecordError after the entries that were complete; the caller counts it and moves on.
 */
export async function* readTar(file: string, options: Partial<TarReadOptions> = {}): AsyncGenerator<TarEntry> {
  const o: TarReadOptions = { maxFileBytes: 1 << 20, wantData: () => true, ...options };
  const stream = openTar(file);
  const q = new ByteReader(stream as AsyncIterable<Buffer>);
  /** Skips n bytes; false if the stream ended first. */
  const skip = async (n: number): Promise<boolean> => (await q.skip(n)) === n;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  const truncated = (what: string, offset: number, cause?: unknown) => new RecordError('truncated_input',
    `${file}: archive is truncated or corrupt ${what} (byte ${offset} of the tar stream)${cause ? `: ${(cause as Error).message}` : ''}`,
    { file, offset }, 'the entries before this point were read; re-download or re-create the archive', cause ? { cause } : undefined);
  try {
    for (;;) {
      const offset = q.position;
      let h: Buffer | null;
      try {
        h = await q.readExactly(512);
      } catch (e) {
        throw truncated('at an entry header', offset, e);
      }
      if (!h) {
        if (q.buffered > 0) throw truncated('in the middle of an entry header', offset);
        if (offset === 0) throw new RecordError('unreadable_input', `${file}: empty archive`, { file, offset });
        // Archives without the two zero end blocks are common enough (e.g. `tar` killed); a header boundary is a clean end.
        return;
      }
      if (h.every((b) => b === 0)) return; // end-of-archive marker
      if (!checksumOk(h)) {
        throw new RecordError('corrupt_archive', `${file}: entry header at byte ${offset} has a bad checksum (not a tar archive, or corrupt)`,
          { file, offset }, 'the entries before this point were read; re-download or re-create the archive');
      }
      const typeflag = String.fromCharCode(h[156]!);
      const size = octal(h, 124, 12);
      const padded = Math.ceil(size / 512) * 512;
      if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
        let data: Buffer | null;
        try {
          data = size > 1 << 20 ? null : await q.readExactly(size);
          if (data && !(await skip(padded - size))) data = null;
        } catch (e) {
          throw truncated(`inside the extended header at byte ${offset}`, offset, e);
        }
        if (!data) throw truncated(`inside the extended header at byte ${offset}`, offset);
        if (typeflag === 'L') longName = cString(data, 0, data.length);
        else if (typeflag === 'K') longLink = cString(data, 0, data.length);
        else if (typeflag === 'x') pax = parsePax(data);
        continue;
      }
      const ustar = h.toString('latin1', 257, 262) === 'ustar';
      const prefix = ustar ? cString(h, 345, 155) : '';
      let name = cString(h, 0, 100);
      if (prefix) name = `${prefix}/${name}`;
      const path = pax.path ?? longName ?? name;
      const linkname = pax.linkpath ?? longLink ?? cString(h, 157, 100);
      const realSize = pax.size !== undefined ? Number(pax.size) : size;
      const realPadded = Math.ceil(realSize / 512) * 512;
      longName = longLink = undefined;
      pax = {};
      const type: TarEntryType = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file'
        : typeflag === '5' ? 'dir' : typeflag === '2' ? 'symlink' : typeflag === '1' ? 'hardlink' : 'other';
      const entry: TarEntry = { path, type, size: type === 'file' ? realSize : 0, linkname, offset };
      const bodyBytes = type === 'file' || type === 'other' ? realPadded : 0;
      try {
        if (type === 'file' && realSize <= o.maxFileBytes && o.wantData(path)) {
          const data = await q.readExactly(realSize);
          if (!data || !(await skip(realPadded - realSize))) throw truncated(`inside "${path}"`, offset);
          entry.data = data;
        } else if (bodyBytes && !(await skip(bodyBytes))) {
          throw truncated(`inside "${path}"`, offset);
        }
      } catch (e) {
        if (e instanceof RecordError) throw e;
        throw truncated(`inside "${path}"`, offset, e);
      }
      yield entry;
    }
  } finally {
    stream.destroy();
  }
}
