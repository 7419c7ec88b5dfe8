/**
 * The unit of work: one document of one MassiveText subset.
 * A document on a JSON line is `{"id", "subset", "text", "meta"}`; as input, `id` and `text` suffice.
 */

/** The six MassiveText subsets (Rae et al. 2021, Table 1). */
export type Subset = 'web' | 'books' | 'c4' | 'news' | 'github' | 'wikipedia';

export const SUBSETS: readonly Subset[] = ['web', 'books', 'c4', 'news', 'github', 'wikipedia'];

export function isSubset(value: unknown): value is Subset {
  return typeof value === 'string' && (SUBSETS as readonly string[]).includes(value);
}

/** Metadata a source attaches. Every field is optional; sources add what they know. */
export interface DocumentMeta {
  url?: string;
  title?: string;
  /** ISO 8601 date the document was published (news, books) or crawled (web, c4). */
  date?: string;
  fetchedAt?: string;
  language?: string;
  licence?: string;
  authors?: string[];
  subjects?: string[];
  /** Programming language (github subset), from the file extension. */
  codeLanguage?: string;
  repo?: string;
  path?: string;
  /** Where the document came from: file and record position, for error messages and provenance. */
  source?: string;
  /** How the text was obtained when there was a choice (e.g. news: "article" or "feed-content"). */
  origin?: string;
  [key: string]: unknown;
}

export interface Document {
  /** Stable across runs: `${subset}:${locator}`. */
  readonly id: string;
  readonly subset: Subset;
  text: string;
  meta: DocumentMeta;
}

/** Document as one JSON line (no trailing newline). Key order is fixed so bytes are stable. */
export function documentToJson(doc: Document): string {
  return JSON.stringify({ id: doc.id, subset: doc.subset, text: doc.text, meta: doc.meta });
}
