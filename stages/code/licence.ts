/**
 * Repository licence from its licence files (LICENSE, LICENCE, COPYING, UNLICENSE, with any suffix) by the
 * licences' own distinctive sentences, with package.json's SPDX `license` field as a fallback.
 *
 * MassiveText's GitHub subset keeps repositories "with permissive licences" only (Rae et al. 2021, as quoted
 * in design/gopher-spec.md section 3); the list is not published, so the default follows RedPajama-V1
 * (MIT, BSD, Apache; data_prep/github/README.md) widened to the other OSI permissive licences the issue names
 * (ISC, Unlicense, CC0) and their close relatives (0BSD, MIT-0, Zlib, BSL-1.0).
 */

/** SPDX ids kept by default. */
export const PERMISSIVE_LICENCES: readonly string[] = [
  'MIT', 'MIT-0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'Apache-2.0', 'ISC', 'Unlicense', 'CC0-1.0', 'Zlib', 'BSL-1.0',
];

const LICENCE_FILE_RE = /^(?:licen[cs]e|copying|unlicen[cs]e|copyright)(?:[-._ ][^/]*)?$/i;

export function isLicenceFile(name: string): boolean {
  return LICENCE_FILE_RE.test(name);
}

interface Detector {
  id: string | ((t: string) => string);
  test: (t: string) => boolean;
}

const has = (...parts: string[]) => (t: string) => parts.every((p) => t.includes(p));

/**
 * Most specific first (BSD-3 contains BSD-2's text). The GNU family is told apart by the title at the top:
 * the GPL-3.0 text itself mentions the Affero and Lesser licences further down.
 */
const head = (n: number, ...parts: string[]) => (t: string) => parts.every((p) => t.slice(0, n).includes(p));
const DETECTORS: Detector[] = [
  { id: 'AGPL-3.0', test: head(600, 'gnu affero general public license') },
  { id: (t) => (t.slice(0, 600).includes('version 3') ? 'LGPL-3.0' : 'LGPL-2.1'), test: (t) => /gnu (?:lesser|library) general public license/.test(t.slice(0, 600)) },
  { id: (t) => (/version 3\b/.test(t.slice(0, 600)) ? 'GPL-3.0' : 'GPL-2.0'), test: head(600, 'gnu general public license') },
  { id: 'MPL-2.0', test: has('mozilla public license', '2.0') },
  { id: 'EPL', test: has('eclipse public license') },
  { id: 'SSPL-1.0', test: has('server side public license') },
  { id: 'BUSL-1.1', test: has('business source license') },
  { id: 'CC-BY-NC', test: has('attribution-noncommercial') },
  { id: 'CC-BY-SA', test: has('attribution-sharealike') },
  { id: 'Apache-2.0', test: (t) => t.includes('apache license') && t.includes('version 2.0') },
  { id: 'BSL-1.0', test: has('boost software license') },
  { id: 'Unlicense', test: has('this is free and unencumbered software released into the public domain') },
  { id: 'CC0-1.0', test: (t) => t.includes('cc0 1.0 universal') || (t.includes('creative commons') && t.includes('cc0')) },
  { id: 'WTFPL', test: has('do what the fuck you want to public license') },
  { id: 'Zlib', test: has("provided 'as-is', without any express or implied warranty", 'permission is granted to anyone to use this software for any purpose') },
  { id: (t) => (t.includes('the above copyright notice') ? 'MIT' : 'MIT-0'), test: has('permission is hereby granted, free of charge, to any person obtaining a copy') },
  { id: (t) => (t.includes('provided that the above copyright notice') ? 'ISC' : '0BSD'), test: (t) => /permission to use, copy, modify, (?:and\/or )?(?:and )?distribute this software for any purpose with or without fee is hereby granted/.test(t) },
  { id: 'BSD-4-Clause', test: has('redistribution and use in source and binary forms', 'all advertising materials mentioning') },
  { id: (t) => (/neither the name|names of its contributors may be used|name of the copyright holder nor/.test(t) ? 'BSD-3-Clause' : 'BSD-2-Clause'), test: has('redistribution and use in source and binary forms') },
  { id: 'Python-2.0', test: has('python software foundation license') },
  // GNU texts without the title at the top (e.g. a notice pasted above it)
  { id: 'AGPL-3.0', test: has('gnu affero general public license', 'version 3') },
  { id: 'LGPL', test: has('gnu lesser general public license') },
  { id: 'GPL', test: has('gnu general public license') },
];

/** SPDX id of one licence text, or 'unknown'. */
export function detectLicence(text: string): string {
  const t = text.toLowerCase().replace(/\s+/g, ' ').replace(/[\u2018\u2019]/g, "'");
  for (const d of DETECTORS) if (d.test(t)) return typeof d.id === 'string' ? d.id : d.id(t);
  return 'unknown';
}

export interface RepoLicence {
  /** The licence ids found (one per licence file, 'unknown' for unrecognised texts). */
  found: string[];
  /** The id to report: the first non-permissive one, else the first recognised one, else 'none'/'unknown'. */
  id: string;
  permissive: boolean;
  /** Where it came from: the licence file names, or "package.json". */
  from: string[];
}

/** SPDX expression from package.json ("MIT", "(MIT OR Apache-2.0)", "BSD-3-Clause AND MIT"). */
export function spdxExpressionIds(expr: string): { ids: string[]; anyOf: boolean } {
  const ids = expr.replace(/[()]/g, ' ').split(/\s+(?:OR|AND|WITH)\s+|\s+/i).map((s) => s.trim()).filter(Boolean);
  return { ids, anyOf: /\bOR\b/i.test(expr) && !/\bAND\b/i.test(expr) };
}

/**
 * Licence of a repository from its root licence files (name -> text) and optional package.json text.
 * Kept only if at least one licence is recognised and every recognised one is permissive.
 */
export function repoLicence(files: ReadonlyMap<string, string>, packageJson: string | undefined, permissive: readonly string[] = PERMISSIVE_LICENCES): RepoLicence {
  const ok = new Set(permissive);
  const found: string[] = [];
  const from: string[] = [];
  for (const [name, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    found.push(detectLicence(text));
    from.push(name);
  }
  const known = found.filter((f) => f !== 'unknown');
  if (known.length) {
    const bad = known.find((f) => !ok.has(f));
    return { found, id: bad ?? known[0]!, permissive: bad === undefined, from };
  }
  if (packageJson !== undefined) {
    try {
      const lic = (JSON.parse(packageJson) as { license?: unknown }).license;
      if (typeof lic === 'string' && lic.trim()) {
        const { ids, anyOf } = spdxExpressionIds(lic.trim());
        const good = anyOf ? ids.some((i) => ok.has(i)) : ids.every((i) => ok.has(i));
        const id = good ? (ids.find((i) => ok.has(i)) ?? ids[0]!) : (ids.find((i) => !ok.has(i)) ?? ids[0]!);
        return { found: [...found, lic.trim()], id, permissive: good, from: [...from, 'package.json'] };
      }
    } catch {
      // not JSON: ignore
    }
  }
  return { found, id: found.length ? 'unknown' : 'none', permissive: false, from };
}
