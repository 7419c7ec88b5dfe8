/**
 * Writing WARC 1.1 records, each as its own gzip member (so readers can seek by offset): a `warcinfo`
 * record and `response` records holding an HTTP/1.1 response. Used to make offline snapshots of fetched
 * pages (the bundled news sample's article pages) and test archives.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface WarcResponse {
  url: string;
  /** ISO 8601 capture date. */
  date: string;
  /** HTTP status (200). */
  status?: number;
  contentType: string;
  body: Buffer;
  /** Extra HTTP response headers. */
  headers?: Record<string, string>;
  /** Fixed record id (for reproducible files); random otherwise. */
  recordId?: string;
}

function record(fields: [string, string][], block: Buffer): Buffer {
  const head = ['WARC/1.1', ...fields.map(([k, v]) => `${k}: ${v}`), `Content-Length: ${block.length}`, '', ''].join('\r\n');
  return gzipSync(Buffer.concat([Buffer.from(head, 'utf8'), block, Buffer.from('\r\n\r\n')]), { level: 9 });
}

const sha1 = (b: Buffer) => 'sha1:' + base32(createHash('sha1').update(b).digest());

function base32(b: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function warcinfoRecord(filename: string, date: string, info: Record<string, string>, recordId = `<urn:uuid:${randomUUID()}>`): Buffer {
  const block = Buffer.from(Object.entries(info).map(([k, v]) => `${k}: ${v}\r\n`).join(''), 'utf8');
  return record([['WARC-Type', 'warcinfo'], ['WARC-Date', date], ['WARC-Filename', filename], ['WARC-Record-ID', recordId], ['Content-Type', 'application/warc-fields']], block);
}

export function warcResponseRecord(r: WarcResponse): Buffer {
  const status = r.status ?? 200;
  const headers = { 'Content-Type': r.contentType, 'Content-Length': String(r.body.length), ...r.headers };
  const http = Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status} ${status === 200 ? 'OK' : ''}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'),
    r.body,
  ]);
  return record([
    ['WARC-Type', 'response'], ['WARC-Record-ID', r.recordId ?? `<urn:uuid:${randomUUID()}>`], ['WARC-Date', r.date],
    ['WARC-Target-URI', r.url], ['Content-Type', 'application/http; msgtype=response'], ['WARC-Payload-Digest', sha1(r.body)],
  ], http);
}
