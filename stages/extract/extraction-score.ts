/**
 * Scores an extractor on the shared fixtures exactly as ../shared/tools/score-extraction.py does:
 *  - trafilatura snippets: share of `with` snippets found and `without` snippets absent in the
 *    whitespace-normalised text of each html/trafilatura page (html/trafilatura-expected.json);
 *  - AEB: mean bag-of-tokens F1 (tokens = \w+ lower-cased) against news-html/aeb/ground-truth.json.
 * Used by the extraction tests (with thresholds) and by bench/extract.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ExtractionScore {
  snippetPass: number;
  snippets: number;
  /** Failed snippets, "file: +with" or "file: -without", for diagnosis. */
  snippetFailures: string[];
  aebF1: number;
  aebPages: number;
  /** Per-page F1 keyed by page id. */
  aebPerPage: Record<string, number>;
}

export interface FixturePage {
  id: string;
  /** Raw page bytes. */
  bytes: Buffer;
  kind: 'trafilatura' | 'aeb';
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
// Python's re \w with Unicode strings: letters, digits, underscore of any script.
const toks = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}_\p{M}]+/gu) ?? [];

export function tokenF1(predicted: string, expected: string): number {
  const a = new Map<string, number>();
  for (const t of toks(predicted)) a.set(t, (a.get(t) ?? 0) + 1);
  const b = new Map<string, number>();
  for (const t of toks(expected)) b.set(t, (b.get(t) ?? 0) + 1);
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (const v of a.values()) na += v;
  for (const [k, v] of b) {
    nb += v;
    inter += Math.min(v, a.get(k) ?? 0);
  }
  const p = inter / Math.max(na, 1);
  const r = inter / Math.max(nb, 1);
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/** The fixture pages, in the scorer's order. */
export function fixturePages(corporaDir: string): FixturePage[] {
  const pages: FixturePage[] = [];
  const exp = JSON.parse(readFileSync(path.join(corporaDir, 'html/trafilatura-expected.json'), 'utf8')) as Record<string, { file: string }>;
  for (const e of Object.values(exp)) {
    const p = path.join(corporaDir, 'html/trafilatura', e.file);
    if (existsSync(p)) pages.push({ id: e.file, bytes: readFileSync(p), kind: 'trafilatura' });
  }
  const gt = JSON.parse(readFileSync(path.join(corporaDir, 'news-html/aeb/ground-truth.json'), 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(gt)) {
    const p = path.join(corporaDir, 'news-html/aeb/html', `${key}.html.gz`);
    if (existsSync(p)) pages.push({ id: key, bytes: gunzipSync(readFileSync(p)), kind: 'aeb' });
  }
  return pages;
}

/** Scores `extract(bytes) -> text` on the fixtures under corporaDir. */
export function scoreExtraction(extract: (bytes: Buffer) => string, corporaDir: string): ExtractionScore {
  const exp = JSON.parse(readFileSync(path.join(corporaDir, 'html/trafilatura-expected.json'), 'utf8')) as Record<string, { file: string; with?: string[]; without?: string[] }>;
  let ok = 0;
  let total = 0;
  const snippetFailures: string[] = [];
  for (const e of Object.values(exp)) {
    const p = path.join(corporaDir, 'html/trafilatura', e.file);
    if (!existsSync(p)) continue;
    const t = norm(extract(readFileSync(p)));
    for (const s of e.with ?? []) {
      total++;
      if (t.includes(norm(s))) ok++;
      else snippetFailures.push(`${e.file}: +${s}`);
    }
    for (const s of e.without ?? []) {
      total++;
      if (!t.includes(norm(s))) ok++;
      else snippetFailures.push(`${e.file}: -${s}`);
    }
  }
  const gt = JSON.parse(readFileSync(path.join(corporaDir, 'news-html/aeb/ground-truth.json'), 'utf8')) as Record<string, { articleBody?: string }>;
  const aebPerPage: Record<string, number> = {};
  for (const [key, e] of Object.entries(gt)) {
    const p = path.join(corporaDir, 'news-html/aeb/html', `${key}.html.gz`);
    if (!existsSync(p)) continue;
    aebPerPage[key] = tokenF1(extract(gunzipSync(readFileSync(p))), e.articleBody ?? '');
  }
  const f1s = Object.values(aebPerPage);
  return {
    snippetPass: ok / Math.max(total, 1), snippets: total, snippetFailures,
    aebF1: f1s.reduce((a, b) => a + b, 0) / Math.max(f1s.length, 1), aebPages: f1s.length, aebPerPage,
  };
}
