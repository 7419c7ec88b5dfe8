/**
 * The MassiveWeb source: HTML pages from WARC/ARC files (local paths, `-` for stdin, or http(s) URLs
 * streamed through the shared HTTP client), one Document per HTML response, with the decoded HTML as
 * `text` and `meta.format = "html"`; the extract stage turns it into main text.
 *
 * Counters (ctx.stats): `in` per archive record (the runner adds `kept` per document); `dropped:not_response` (warcinfo,
 * request, metadata, revisit ... records), `dropped:http_status` (non-2xx), `dropped:non_html`,
 * `dropped:empty`; `error:<code>` for malformed, truncated or oversized records (each also reported
 * through ctx.reporter.warn with file and byte offset).
 */
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import type { Document } from '../../pipeline/document.js';
import { MassivetextError, RecordError } from '../../pipeline/errors.js';
import type { Source, StageContext } from '../../pipeline/stage.js';
import { readArchiveRecords, type ArchiveRecord } from './archive-records.js';
import { decodeHtml } from './charset.js';
import { parseHttpResponse } from './http-message.js';

export interface WarcSourceOptions {
  /** Largest record block read (see ArchiveReadOptions.maxRecordBytes). */
  maxRecordBytes: number;
  /** Stop after this many documents (all inputs together). */
  limit: number;
  /** Keep responses whose status is not 2xx (default false: error pages and redirects are not text). */
  keepNon2xx: boolean;
  /** Opens an http(s) URL as a byte stream. Given by the caller (bin/ wires the shared crawler client),
   *  so this module does no network IO of its own. */
  openUrl?: (url: string, signal?: AbortSignal) => AsyncIterable<Uint8Array>;
}

export const defaultWarcSourceOptions: WarcSourceOptions = {
  maxRecordBytes: 32 << 20,
  limit: Infinity,
  keepNon2xx: false,
};

const HTML_TYPE_RE = /^\s*(text\/html|application\/xhtml\+xml)\b/i;

export function isHtmlContentType(ct: string | undefined): boolean {
  return !!ct && HTML_TYPE_RE.test(ct);
}

/** Sniffs HTML when no content type is given (WHATWG MIME sniffing, the "<!DOCTYPE HTML" / "<html" patterns). */
export function looksLikeHtml(body: Buffer): boolean {
  const head = body.subarray(0, 1024).toString('latin1').replace(/^\uFEFF?\s+/, '').toLowerCase();
  return /^(<!doctype html|<html|<head|<body|<!--|<title|<p\b|<div|<meta)/.test(head);
}

/** Opens a local file, stdin ("-") or an URL as raw bytes. */
export function openArchiveInput(input: string, options: Pick<WarcSourceOptions, 'openUrl'>, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  if (/^https?:\/\//i.test(input)) {
    if (!options.openUrl) {
      throw new MassivetextError('no_http_client', `cannot open ${input}: no HTTP client was given`, 'pass options.openUrl (bin/ wires the crawler client)', { file: input });
    }
    return options.openUrl(input, signal);
  }
  if (input === '-') return process.stdin;
  return createReadStream(input, { highWaterMark: 1 << 20 });
}

function warcPayloadType(r: ArchiveRecord): string | undefined {
  return r.headers['warc-identified-payload-type'];
}

/** Whether a record's block is worth reading: HTML-looking responses and resources only. */
function wantBlock(r: ArchiveRecord): boolean {
  if (r.type !== 'response' && r.type !== 'resource') return false;
  if (r.format === 'arc') return r.type === 'response' || isHtmlContentType(r.headers['content-type']);
  if (r.type === 'resource') return isHtmlContentType(r.headers['content-type']);
  const ct = (r.headers['content-type'] ?? '').toLowerCase();
  if (ct && !ct.startsWith('application/http')) return false;
  const ident = warcPayloadType(r);
  return !ident || isHtmlContentType(ident);
}

export function warcSource(inputs: string[], options: Partial<WarcSourceOptions> = {}): Source {
  const o = { ...defaultWarcSourceOptions, ...options };
  return {
    name: 'read-warc',
    async *read(ctx: StageContext): AsyncGenerator<Document> {
      let emitted = 0;
      for (const input of inputs) {
        if (emitted >= o.limit) return;
        const name = input === '-' ? 'stdin' : path.basename(input.replace(/[?#].*$/, ''));
        const seenOffsets = new Set<number>();
        const onError = (e: RecordError) => {
          if (e.code === 'non_chunked_gzip') ctx.stats.add('warn:non_chunked_gzip');
          else ctx.stats.error(e.code);
          ctx.reporter.warn(e.code, e.message, e.position);
        };
        let stream: AsyncIterable<Uint8Array>;
        try {
          stream = openArchiveInput(input, o, ctx.signal);
        } catch (e) {
          throw e;
        }
        try {
          for await (const r of readArchiveRecords(stream, input, { maxRecordBytes: o.maxRecordBytes, wantBlock, onError })) {
            ctx.stats.in(r.length);
            const doc = toDocument(r, input, name, seenOffsets, o, ctx);
            if (!doc) continue;
            yield doc; // the pipeline runner counts `kept` on the way out of a source
            if (++emitted >= o.limit) return;
          }
        } catch (e) {
          // An input that cannot be fetched (HTTP error, blocked address, network) is bad data of this run:
          // counted, reported, and the next input is read. A missing local file is a usage error.
          if (e instanceof RecordError) {
            ctx.stats.error(e.code);
            ctx.reporter.warn(e.code, e.message, e.position);
            continue;
          }
          throw inputError(e, input);
        }
      }
    },
  };
}

function inputError(e: unknown, input: string): unknown {
  if (e instanceof MassivetextError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EISDIR') {
    return new MassivetextError('unreadable_input', `cannot read ${input}: ${err.message}`, 'check that the path exists and is a readable WARC/ARC file', { file: input }, { cause: e });
  }
  return e;
}

function toDocument(r: ArchiveRecord, input: string, name: string, seenOffsets: Set<number>, o: WarcSourceOptions, ctx: StageContext): Document | null {
  if (r.type !== 'response' && r.type !== 'resource') {
    ctx.stats.dropped('not_response');
    return null;
  }
  if (!r.block) {
    ctx.stats.dropped('non_html');
    return null;
  }
  let body: Buffer;
  let contentType: string | undefined;
  let status: number | undefined;
  const isHttp = r.format === 'arc' ? /^https?:/i.test(r.url ?? '') : (r.headers['content-type'] ?? 'application/http').toLowerCase().startsWith('application/http');
  if (r.type === 'response' && isHttp) {
    const http = parseHttpResponse(r.block, { maxBodyBytes: o.maxRecordBytes * 4 });
    if (!http) {
      ctx.stats.error('malformed_http');
      ctx.reporter.warn('malformed_http', 'response record does not hold an HTTP response', { file: input, offset: r.offset, record: r.index });
      return null;
    }
    status = http.status;
    for (const note of http.notes) ctx.stats.add(`note:${note}`);
    if (!o.keepNon2xx && (status < 200 || status > 299)) {
      ctx.stats.dropped('http_status');
      return null;
    }
    body = http.body;
    contentType = http.headers['content-type'] ?? warcPayloadType(r);
    if (http.notes.includes('bad_content_encoding')) {
      ctx.stats.error('bad_content_encoding');
      ctx.reporter.warn('bad_content_encoding', `body cannot be decoded with Content-Encoding ${http.headers['content-encoding']}`, { file: input, offset: r.offset, record: r.index });
      return null;
    }
  } else {
    body = r.block;
    contentType = r.headers['content-type'];
  }
  if (contentType ? !isHtmlContentType(contentType) : !looksLikeHtml(body)) {
    ctx.stats.dropped('non_html');
    return null;
  }
  if (!body.length) {
    ctx.stats.dropped('empty');
    return null;
  }
  const decoded = decodeHtml(body, contentType);
  let id = `web:${name}@${r.offset}`;
  if (seenOffsets.has(r.offset)) id += `+${r.index}`;
  seenOffsets.add(r.offset);
  const meta: Document['meta'] = {
    url: r.url,
    date: r.date,
    source: `${input}@${r.offset}`,
    format: 'html',
    contentType: contentType ?? 'text/html',
    charset: decoded.encoding,
  };
  if (status !== undefined) meta.status = status;
  const recordId = r.headers['warc-record-id'];
  if (recordId) meta.warcRecordId = recordId;
  return { id, subset: 'web', text: decoded.text, meta };
}
