/**
 * Project Gutenberg RDF/XML catalog records (`pg<N>.rdf`, from gutenberg.org/cache/epub/<N>/ or the
 * rdf-files.tar.bz2 feed) parsed with fast-xml-parser into the fields a corpus needs: title, authors,
 * language, issued date, subjects, rights. One record per file (the feed ships one file per eBook).
 * A malformed record is a RecordError naming the file and line (the validator's position).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RecordError } from '../../pipeline/index.js';

export interface GutenbergAuthor {
  name: string;
  birth?: number;
  death?: number;
}

export interface GutenbergRecord {
  /** The eBook number (`rdf:about="ebooks/972"`). */
  ebook: number;
  title?: string;
  /** dcterms:creator agents, "Last, First" as PG writes them. */
  authors: GutenbergAuthor[];
  /** RFC 4646 codes ("en", "fr"); a book can have several. */
  languages: string[];
  /** dcterms:issued: the date the eBook was released on Project Gutenberg (YYYY-MM-DD). */
  issued?: string;
  /** Library of Congress Subject Headings. */
  subjects: string[];
  /** Library of Congress Classification letters ("PS", "PQ"). */
  lcc: string[];
  bookshelves: string[];
  rights?: string;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

function arr(x: unknown): unknown[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

/** Text of an element that may be a plain string or `{ '#text': ..., '@_attr': ... }`. */
function text(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  if (x && typeof x === 'object' && '#text' in (x as Node)) return text((x as Node)['#text']);
  return undefined;
}

/** `<dcterms:subject><rdf:Description><rdf:value>..</rdf:value><dcam:memberOf rdf:resource=".."/>` (the Description wrapper is optional). */
function describedValues(x: unknown): { value: string; memberOf?: string }[] {
  const out: { value: string; memberOf?: string }[] = [];
  for (const item of arr(x)) {
    if (typeof item === 'string') {
      out.push({ value: item });
      continue;
    }
    const node = item as Node;
    const descs = node['rdf:Description'] !== undefined ? arr(node['rdf:Description']) : [node];
    for (const d of descs) {
      const dn = d as Node;
      const memberOf = (dn['dcam:memberOf'] as Node | undefined)?.['@_rdf:resource'] as string | undefined;
      for (const v of arr(dn['rdf:value'])) {
        const value = text(v);
        if (value !== undefined && value !== '') out.push(memberOf === undefined ? { value } : { value, memberOf });
      }
    }
  }
  return out;
}

function intOrUndefined(x: unknown): number | undefined {
  const t = text(x);
  if (t === undefined) return undefined;
  const n = Number.parseInt(t, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses one RDF/XML record. `file` is only used in error messages. */
export function parseGutenbergRdf(xml: string, file = '<rdf>'): GutenbergRecord {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const e = valid.err;
    // fast-xml-parser reports unclosed elements as "Invalid '[...names...]' found" at 1:1.
    const msg = e.code === 'InvalidXml' && e.msg.startsWith("Invalid '[")
      ? `unexpected end of document, unclosed elements ${e.msg.slice(9, -8).replace(/\s+/g, '')}` : e.msg;
    throw new RecordError('malformed_rdf', `${file}: malformed RDF/XML at line ${e.line}, column ${e.col}: ${msg}`,
      { file, line: e.line }, 'the eBook is read without catalog metadata; re-download the RDF record');
  }
  const doc = parser.parse(xml) as Node;
  const rdf = doc['rdf:RDF'] as Node | undefined;
  const ebook = arr(rdf?.['pgterms:ebook'])[0] as Node | undefined;
  if (!ebook) {
    throw new RecordError('malformed_rdf', `${file}: no <pgterms:ebook> element in the RDF record`, { file },
      'expected a Project Gutenberg catalog record (pg<N>.rdf)');
  }
  const about = String(ebook['@_rdf:about'] ?? '');
  const m = /ebooks\/(\d+)/.exec(about);
  if (!m) {
    throw new RecordError('malformed_rdf', `${file}: <pgterms:ebook rdf:about="${about}"> has no eBook number`, { file });
  }
  const authors: GutenbergAuthor[] = [];
  for (const c of arr(ebook['dcterms:creator'])) {
    for (const agent of arr((c as Node)['pgterms:agent'])) {
      const a = agent as Node;
      const name = text(arr(a['pgterms:name'])[0]);
      if (!name) continue;
      const author: GutenbergAuthor = { name };
      const birth = intOrUndefined(a['pgterms:birthdate']);
      const death = intOrUndefined(a['pgterms:deathdate']);
      if (birth !== undefined) author.birth = birth;
      if (death !== undefined) author.death = death;
      authors.push(author);
    }
  }
  const subjectsAll = describedValues(ebook['dcterms:subject']);
  const title = text(arr(ebook['dcterms:title'])[0]);
  const issued = text(arr(ebook['dcterms:issued'])[0]);
  const rights = text(arr(ebook['dcterms:rights'])[0]);
  const record: GutenbergRecord = {
    ebook: Number(m[1]),
    authors,
    languages: describedValues(ebook['dcterms:language']).map((v) => v.value),
    subjects: subjectsAll.filter((s) => !s.memberOf || s.memberOf.endsWith('/LCSH')).map((s) => s.value),
    lcc: subjectsAll.filter((s) => s.memberOf?.endsWith('/LCC')).map((s) => s.value),
    bookshelves: describedValues(ebook['pgterms:bookshelf']).map((v) => v.value),
  };
  // PG titles may span lines (title + subtitle); keep them on one line.
  if (title !== undefined) record.title = title.replace(/\s*[\r\n]+\s*/g, ': ');
  if (issued !== undefined) record.issued = issued;
  if (rights !== undefined) record.rights = rights;
  return record;
}
