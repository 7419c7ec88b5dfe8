/**
 * Decoding fetched HTML to a JS string (UTF-16, written out as UTF-8). The encoding is chosen the way
 * the WHATWG HTML standard's "encoding sniffing algorithm" does, simplified:
 *   1. a byte-order mark (UTF-8, UTF-16LE/BE) wins;
 *   2. else the charset parameter of the HTTP Content-Type header;
 *   3. else a <meta charset> / <meta http-equiv="content-type"> in the first bytes (prescan; the standard
 *      looks at 1024 bytes, we look at 4096 because real pages put long scripts first);
 *   4. else UTF-8 when the bytes are valid UTF-8, otherwise windows-1252 (the standard's default for
 *      unlabelled Western pages).
 * Labels are resolved by TextDecoder (Node with full ICU knows all WHATWG encodings); an unknown label
 * falls through to the next step.
 */

export interface DecodedText {
  text: string;
  /** The WHATWG encoding name used, e.g. "utf-8", "windows-1252", "gbk". */
  encoding: string;
  /** Where the encoding came from. */
  from: 'bom' | 'header' | 'meta' | 'xml' | 'sniffed' | 'default';
}

export interface CharsetOptions {
  /** Bytes scanned for a <meta> charset (WHATWG prescan uses 1024). */
  prescanBytes: number;
}
export const defaultCharsetOptions: CharsetOptions = { prescanBytes: 4096 };

/** The WHATWG encoding name for a label, or undefined when TextDecoder does not know it. */
export function normalizeEncoding(label: string | undefined | null): string | undefined {
  if (!label) return undefined;
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!l) return undefined;
  try {
    const enc = new TextDecoder(l).encoding;
    // The standard maps UTF-16 labels in <meta> to UTF-8 (a page cannot declare UTF-16 in ASCII).
    return enc;
  } catch {
    return undefined;
  }
}

/** The charset parameter of a Content-Type header value. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType);
  return m ? m[2] : undefined;
}

export function bomEncoding(bytes: Uint8Array): { encoding: string; length: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

const META_RE = /<meta\b[^>]*?>/gi;
const META_CHARSET_RE = /\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)/i;

/** The charset a page declares in <meta> within its first bytes (ASCII-compatible prescan). */
export function metaCharset(bytes: Uint8Array, prescanBytes = defaultCharsetOptions.prescanBytes): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, prescanBytes)).toString('latin1');
  // Ignore comments, which often hold stale declarations.
  const text = head.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of text.matchAll(META_RE)) {
    const c = META_CHARSET_RE.exec(m[0]);
    if (c) return c[1];
  }
  return undefined;
}

/** The encoding in an XML declaration (`<?xml version="1.0" encoding="ISO-8859-1"?>`). */
export function xmlDeclaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)).toString('latin1');
  const m = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(head);
  return m ? m[1] : undefined;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Decodes HTML (or XML with `xml: true`) bytes to a string, choosing the encoding as described above. */
export function decodeHtml(bytes: Uint8Array, contentType?: string, options: Partial<CharsetOptions> & { xml?: boolean } = {}): DecodedText {
  const o = { ...defaultCharsetOptions, ...options };
  const bom = bomEncoding(bytes);
  if (bom) return { text: new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length)), encoding: bom.encoding, from: 'bom' };
  const candidates: [string | undefined, DecodedText['from']][] = [[charsetFromContentType(contentType), 'header']];
  if (o.xml) candidates.push([xmlDeclaredEncoding(bytes), 'xml']);
  candidates.push([metaCharset(bytes, o.prescanBytes), 'meta']);
  for (const [label, from] of candidates) {
    let enc = normalizeEncoding(label);
    if (!enc) continue;
    // A page declaring UTF-16 in ASCII bytes is really ASCII-compatible (WHATWG: treat as UTF-8).
    if (from !== 'header' && enc.startsWith('utf-16')) enc = 'utf-8';
    // Pages labelled UTF-8 that are not valid UTF-8 are common; the standard still decodes them as
    // UTF-8 with replacement characters, and so do we.
    return { text: new TextDecoder(enc).decode(bytes), encoding: enc, from };
  }
  if (isValidUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', from: 'sniffed' };
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252', from: 'default' };
}
