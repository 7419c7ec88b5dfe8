/**
 * Parsing an archived HTTP response (the block of a WARC `response` record or an ARC record):
 * status line, headers, body; undoing chunked transfer coding and content codings (gzip, deflate, br).
 * Archives store what went over the wire, and real servers get this wrong often, so decoding is lenient
 * the way warcio's is: a body that is not really chunked, or not really compressed, is kept as it is
 * and the fact is reported in `notes`.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export interface HttpResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** What lenient decoding had to do, e.g. "not_chunked", "bad_content_encoding". */
  notes: string[];
}

export interface HttpMessageOptions {
  /** Largest decoded body kept; a compressed body that inflates beyond this is cut (zip-bomb guard). */
  maxBodyBytes: number;
}
export const defaultHttpMessageOptions: HttpMessageOptions = { maxBodyBytes: 32 << 20 };

/** Splits header lines at the first empty line (CRLF or bare LF). Returns -1 when there is none. */
function headerEnd(block: Buffer): { end: number; bodyStart: number } {
  const crlf = block.indexOf('\r\n\r\n');
  const lf = block.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return { end: -1, bodyStart: -1 };
}

export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let lastName = '';
  for (const raw of text.split(/\r?\n/)) {
    if (!raw) continue;
    if ((raw[0] === ' ' || raw[0] === '\t') && lastName) {
      headers[lastName] += ' ' + raw.trim();
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    const name = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).trim();
    headers[name] = headers[name] !== undefined ? `${headers[name]}, ${value}` : value;
    lastName = name;
  }
  return headers;
}

/** Parses an HTTP/1.x response message; returns null when the block does not start with a status line. */
export function parseHttpResponse(block: Buffer, options: Partial<HttpMessageOptions> = {}): HttpResponse | null {
  const o = { ...defaultHttpMessageOptions, ...options };
  const firstLineEnd = block.indexOf('\n');
  const statusLine = block.subarray(0, firstLineEnd < 0 ? Math.min(block.length, 200) : firstLineEnd).toString('latin1').trim();
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/i.exec(statusLine);
  if (!m) return null;
  const status = Number(m[1]);
  const { end, bodyStart } = headerEnd(block);
  const headerText = end < 0 ? block.subarray(firstLineEnd + 1).toString('latin1') : block.subarray(firstLineEnd + 1, end).toString('latin1');
  const headers = parseHeaderLines(headerText);
  let body = end < 0 ? Buffer.alloc(0) : block.subarray(bodyStart);
  const notes: string[] = [];
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const d = dechunk(body);
    if (d) body = d;
    else notes.push('not_chunked');
  }
  const coding = (headers['content-encoding'] ?? '').toLowerCase().trim();
  if (coding && coding !== 'identity' && body.length) {
    const d = decodeContent(body, coding, o.maxBodyBytes);
    if (d) body = d;
    else notes.push('bad_content_encoding');
  }
  return { status, headers, body, notes };
}

/** Undoes HTTP/1.1 chunked transfer coding; null when the body is not validly chunked. */
export function dechunk(body: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let p = 0;
  for (;;) {
    const nl = body.indexOf('\n', p);
    if (nl < 0) return parts.length ? Buffer.concat(parts) : null; // truncated after some chunks
    const sizeText = body.subarray(p, nl).toString('latin1').trim().split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return null;
    const size = parseInt(sizeText, 16);
    if (size === 0) return Buffer.concat(parts);
    const start = nl + 1;
    if (start + size > body.length) {
      // Truncated record: keep what is there.
      parts.push(body.subarray(start));
      return Buffer.concat(parts);
    }
    parts.push(body.subarray(start, start + size));
    p = start + size;
    if (body[p] === 13) p++;
    if (body[p] === 10) p++;
    if (p >= body.length) return Buffer.concat(parts);
  }
}

/** Decodes a content coding (possibly a list like "gzip, br"); null when it fails. */
export function decodeContent(body: Buffer, coding: string, maxBytes: number): Buffer | null {
  const codings = coding.split(',').map((c) => c.trim()).filter((c) => c && c !== 'identity').reverse();
  let data = body;
  for (const c of codings) {
    try {
      const opts = { maxOutputLength: maxBytes };
      if (c === 'gzip' || c === 'x-gzip') data = gunzipSync(data, opts);
      else if (c === 'deflate') {
        // "deflate" is zlib-wrapped by the RFC, but many servers send raw deflate.
        try {
          data = inflateSync(data, opts);
        } catch {
          data = inflateRawSync(data, opts);
        }
      } else if (c === 'br') data = brotliDecompressSync(data, opts);
      else return null;
    } catch {
      return null;
    }
  }
  return data;
}
