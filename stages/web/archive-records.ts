/**
 * Streaming reader of web archive records: WARC 1.0/1.1 and the legacy ARC (v1 and v2) format, plain or
 * gzip-compressed (one gzip member per record, or one member for the whole file), detected from the bytes.
 * Records are yielded one at a time; a block is read into memory only when the caller wants it and it is
 * under the size cap, otherwise it is skipped without buffering.
 *
 * Malformed input is reported through `onError` as a RecordError with the file, the record number and the
 * byte offset (of the record's gzip member for .gz files: the offset a CDX index would hold), and reading
 * resumes at the next record header.
 */
import { ByteReader, StreamBreakError, type ByteChunk } from '../../pipeline/byte-reader.js';
import { RecordError } from '../../pipeline/errors.js';
import { GzipMemberInflater } from './gzip-members.js';
import { parseHeaderLines } from './http-message.js';

export type ArchiveFormat = 'warc' | 'arc';

export interface ArchiveRecord {
  format: ArchiveFormat;
  /** WARC-Type (warcinfo, response, resource, request, metadata, revisit, conversion); for ARC records
   *  "response" (http/https URLs), "warcinfo" (the filedesc:// header) or "resource" (dns: and others). */
  type: string;
  /** WARC named fields with lower-cased names; for ARC the header-line fields (url, ip-address, archive-date, content-type, length). */
  headers: Record<string, string>;
  url?: string;
  /** ISO 8601 capture date. */
  date?: string;
  /** Byte offset of the record in the input (compressed offset of its gzip member for .gz input). */
  offset: number;
  /** 1-based record number in the file. */
  index: number;
  /** Declared block length. */
  length: number;
  /** The block, when wanted and within the cap; null when skipped. */
  block: Buffer | null;
}

export interface ArchiveReadOptions {
  /** Decides, from the record's headers, whether its block is read (otherwise it is skipped). */
  wantBlock: (r: ArchiveRecord) => boolean;
  /** Blocks larger than this are skipped and reported as `record_too_large`. Common Crawl truncates
   *  payloads at 1 MiB (WARC-Truncated: length); 32 MiB leaves room for other crawlers' archives. */
  maxRecordBytes: number;
  /** Longest header line accepted. */
  maxHeaderBytes: number;
  onError: (e: RecordError) => void;
}

export const defaultArchiveReadOptions: ArchiveReadOptions = {
  wantBlock: () => true,
  maxRecordBytes: 32 << 20,
  maxHeaderBytes: 64 << 10,
  onError: () => {},
};

/** ARC dates are 14-digit timestamps (YYYYMMDDhhmmss, UTC). */
export function arcDateToIso(d: string | undefined): string | undefined {
  if (!d || !/^\d{14}$/.test(d)) return undefined;
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}Z`;
}

const ARC_LINE_RE = /^(\S+:\S*)\s+\S+\s+\d{14}\s/;

function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 10 && b !== 13 && b !== 32 && b !== 9) return false;
  return true;
}

/** Whether the bytes after a WARC block are its end-of-record marker (CRLF CRLF; a bare LF LF, the next
 *  record, the end of input or a skipped corrupt member are tolerated). */
async function endsAtBlockEnd(reader: ByteReader): Promise<boolean> {
  let next: Buffer;
  try {
    next = await reader.peek(5);
  } catch (e) {
    if (e instanceof StreamBreakError) return true;
    throw e;
  }
  if (next.length === 0 || next[0] === 10 || (next[0] === 13 && (next.length === 1 || next[1] === 10))) return true;
  return next.length === 5 && next.toString('latin1') === 'WARC/';
}

async function* peekable(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const c of input) yield c;
}

/**
 * Reads archive records from a stream of raw (possibly gzip-compressed) bytes.
 * `file` names the input in error positions.
 */
export async function* readArchiveRecords(input: AsyncIterable<Uint8Array>, file: string,
  options: Partial<ArchiveReadOptions> = {}): AsyncGenerator<ArchiveRecord> {
  const o = { ...defaultArchiveReadOptions, ...options };
  const raw = peekable(input);
  // Look at the first chunk to detect gzip.
  const first = await raw.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = (async function* () {
    yield head;
    yield* raw;
  })();
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  let index = 0;
  const errorAt = (code: string, message: string, offset: number, hint = '') =>
    o.onError(new RecordError(code, `${message}`, { file, offset, record: index || undefined }, hint));

  let inflater: GzipMemberInflater | null = null;
  let chunks: AsyncIterable<ByteChunk>;
  if (gzip) {
    inflater = new GzipMemberInflater((e) => errorAt(e.code, e.message, e.offset,
      e.code === 'truncated_gzip' ? 'the records before this point were read; re-download the file' : 'the damaged record was skipped; the rest of the file was read'));
    chunks = inflater.inflate(rest);
  } else {
    chunks = rest;
  }
  const reader = new ByteReader(chunks);
  let nonChunkedReported = false;
  const offsetOf = (p: number): number => {
    if (!inflater) return p;
    const m = inflater.memberAt(p);
    if (!m) return 0;
    if (m.decompressedOffset !== p && !nonChunkedReported) {
      nonChunkedReported = true;
      errorAt('non_chunked_gzip', 'gzip members do not start at record boundaries (the file is not compressed record by record); records are still read, but their offsets are those of the enclosing member',
        m.compressedOffset, 'recompress with one gzip member per record (e.g. `warcio recompress`) so records can be located by offset');
    }
    return m.compressedOffset;
  };

  let format: ArchiveFormat | null = null;
  let resyncing = false;
  try {
    for (;;) {
      let start = reader.position;
      let line: Buffer | null;
      try {
        line = await reader.readLine(o.maxHeaderBytes);
      } catch (e) {
        if (e instanceof StreamBreakError) {
          reader.takeBreak();
          resyncing = true;
          continue;
        }
        throw e;
      }
      if (line === null) {
        if (reader.takeBreak()) {
          resyncing = true;
          continue;
        }
        break;
      }
      if (isBlank(line)) continue;
      const text = line.toString('latin1');
      const isWarc = text.startsWith('WARC/');
      const isArc = !isWarc && ARC_LINE_RE.test(text) && (format === 'arc' || (format === null && text.startsWith('filedesc:')) || resyncing && format !== 'warc');
      if (!isWarc && !isArc) {
        if (!resyncing) {
          index++;
          errorAt('malformed_record', `expected a ${format === 'arc' ? 'ARC record header line' : 'WARC/1.x version line'} but found ${JSON.stringify(text.slice(0, 60))}`,
            offsetOf(start), 'the record was skipped up to the next record header');
          resyncing = true;
        }
        continue;
      }
      resyncing = false;
      format ??= isWarc ? 'warc' : 'arc';
      index++;
      const recordStart = start;
      try {
        let record: ArchiveRecord;
        if (isWarc) {
          // Named fields up to the empty line.
          const lines: string[] = [];
          let bytes = 0;
          let ended = false;
          for (;;) {
            const l = await reader.readLine(o.maxHeaderBytes);
            if (l === null) break;
            if (isBlank(l)) {
              ended = true;
              break;
            }
            bytes += l.length;
            if (bytes > o.maxHeaderBytes) break;
            lines.push(l.toString('utf8'));
          }
          if (!ended) {
            errorAt(bytes > o.maxHeaderBytes ? 'malformed_record' : 'truncated_record',
              bytes > o.maxHeaderBytes ? 'WARC header is too long' : 'input ends inside a WARC header', offsetOf(recordStart));
            resyncing = true;
            continue;
          }
          const headers = parseHeaderLines(lines.join('\n'));
          const lengthText = headers['content-length'];
          if (lengthText === undefined || !/^\d+$/.test(lengthText.trim())) {
            errorAt('malformed_record', `WARC record has ${lengthText === undefined ? 'no' : 'an invalid'} Content-Length`, offsetOf(recordStart),
              'the record was skipped up to the next WARC/ line');
            resyncing = true;
            continue;
          }
          const url = headers['warc-target-uri']?.replace(/^<(.*)>$/, '$1');
          record = {
            format: 'warc', type: (headers['warc-type'] ?? 'unknown').toLowerCase(), headers, url,
            date: headers['warc-date'], offset: offsetOf(recordStart), index, length: Number(lengthText.trim()), block: null,
          };
        } else {
          const fields = text.trim().split(/\s+/);
          const n = fields.length;
          const length = Number(fields[n - 1]);
          if (!Number.isSafeInteger(length) || length < 0 || n < 5) {
            errorAt('malformed_record', `ARC header line has no valid length: ${JSON.stringify(text.slice(0, 80))}`, offsetOf(recordStart));
            resyncing = true;
            continue;
          }
          // v1: URL IP date content-type length; v2 adds result-code checksum location offset filename.
          const v2 = n === 10;
          const url = v2 ? fields[0]! : fields.slice(0, n - 4).join(' ');
          const headers: Record<string, string> = {
            'url': url, 'ip-address': fields[v2 ? 1 : n - 4]!, 'archive-date': fields[v2 ? 2 : n - 3]!,
            'content-type': fields[v2 ? 3 : n - 2]!, 'length': String(length),
          };
          const type = url.startsWith('filedesc:') ? 'warcinfo' : /^https?:/i.test(url) ? 'response' : 'resource';
          record = {
            format: 'arc', type, headers, url, date: arcDateToIso(headers['archive-date']),
            offset: offsetOf(recordStart), index, length, block: null,
          };
        }
        if (record.length > o.maxRecordBytes && o.wantBlock(record)) {
          errorAt('record_too_large', `record block of ${record.length} bytes is over the ${o.maxRecordBytes}-byte cap`, record.offset,
            'raise maxRecordBytes to read it');
          const skipped = await reader.skip(record.length);
          if (skipped < record.length) errorAt('truncated_record', `input ends inside the record block (${skipped} of ${record.length} bytes)`, record.offset);
          continue;
        }
        if (o.wantBlock(record)) {
          const block = await reader.read(record.length);
          if (block.length < record.length) {
            errorAt('truncated_record', `input ends inside the record block (${block.length} of ${record.length} bytes)`, record.offset,
              'the records before this one were read; the archive is truncated');
            continue;
          }
          record.block = block;
        } else {
          const skipped = await reader.skip(record.length);
          if (skipped < record.length) {
            errorAt('truncated_record', `input ends inside the record block (${skipped} of ${record.length} bytes)`, record.offset,
              'the records before this one were read; the archive is truncated');
            continue;
          }
        }
        if (record.format === 'warc' && !(await endsAtBlockEnd(reader))) {
          // WARC 1.1 section 4: a block is followed by two CRLFs. Anything else means Content-Length is wrong,
          // so the block holds a cut or an overrun of the payload: the record is dropped, not emitted mangled.
          errorAt('bad_content_length', `the block is not followed by CRLF CRLF: Content-Length ${record.length} does not match the record`, record.offset,
            'the record was skipped up to the next WARC/ line');
          resyncing = true;
          continue;
        }
        yield record;
      } catch (e) {
        if (e instanceof StreamBreakError) {
          // The gzip member holding this record was corrupt (already reported); resume at the next header.
          reader.takeBreak();
          resyncing = true;
          continue;
        }
        throw e;
      }
      start = reader.position;
    }
  } finally {
    await reader.close();
  }
}
