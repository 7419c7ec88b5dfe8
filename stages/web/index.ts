/** Web archives (WARC/ARC) as a source of HTML documents for the web subset, and charset decoding. */
export { warcSource, defaultWarcSourceOptions, isHtmlContentType, looksLikeHtml, openArchiveInput, type WarcSourceOptions } from './warc-source.js';
export { readArchiveRecords, defaultArchiveReadOptions, arcDateToIso, type ArchiveRecord, type ArchiveReadOptions, type ArchiveFormat } from './archive-records.js';
export { decodeHtml, normalizeEncoding, charsetFromContentType, metaCharset, xmlDeclaredEncoding, bomEncoding, defaultCharsetOptions, type DecodedText, type CharsetOptions } from './charset.js';
export { parseHttpResponse, dechunk, decodeContent, parseHeaderLines, defaultHttpMessageOptions, type HttpResponse, type HttpMessageOptions } from './http-message.js';
export { GzipMemberInflater, type GzipMember, type GzipMemberError } from './gzip-members.js';
export { warcResponseRecord, warcinfoRecord, type WarcResponse } from './warc-writer.js';
