/**
 * Builds SentencePiece's `nmt_nfkc` normalization rules from the JavaScript engine's own Unicode NFKC
 * (String.prototype.normalize, ICU), and compiles them into a `precompiled_charsmap` blob that
 * spm_encode, sentencepiece-js and our Normalizer all apply the same way (longest-match rewriting).
 *
 * The rule set is derived the way SentencePiece's Builder::BuildNmtNFKCMap derives it (src/builder.cc,
 * read for this port; tokenizer.md §3.3): one rule per code point whose NFKC differs from itself; for every
 * multi-code-point NFKD decomposition, rules from each spelling that decomposes to it to its NFC
 * (composition of decomposed input); then the nmt whitespace/control rules; then rules implied by shorter
 * rules are dropped. Differences from the table inside spm 0.1.97 come from the newer Unicode version of
 * Node's ICU (tokenizer.md §3.5: 158 code points added after the older ICU; none occur in English text).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { DoubleArray, compareBytes } from './double-array.js';

/** Whitespace-like code points that nmt_nfkc maps to U+0020 (Builder::BuildNmtNFKCMap). */
const NMT_SPACES = [0x0009, 0x000a, 0x000c, 0x000d, 0x1680, 0x200b, 0x200e, 0x200f, 0x2028, 0x2029, 0x2581, 0xfeff, 0xfffd, 0x200c];
/** Control characters that nmt_nfkc deletes. */
const NMT_DELETED = [
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0b, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
  0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x7f, 0x8f, 0x9f,
];
/** FULLWIDTH TILDE is deliberately left alone (used differently from ~ in Japanese). */
const NMT_KEEP = 0xff5e;

type Rules = Map<string, string>;

function isUnicodeChar(cp: number): boolean {
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if (cp >= 0xfdd0 && cp <= 0xfdef) return false;
  if ((cp & 0xfffe) === 0xfffe) return false;
  return true;
}

/** NFKC rules (Builder::BuildNFKCMap equivalent) keyed and valued by JS strings. */
export function buildNfkcRules(): Rules {
  const rules: Rules = new Map();
  // Characters whose NFKD is another single character, by that character (each character also maps to
  // itself, which expandUnnormalized adds).
  const norm2orig = new Map<string, string[]>();
  const decomposed = new Set<string>();
  for (let cp = 1; cp <= 0x10ffff; cp++) {
    if (!isUnicodeChar(cp)) continue;
    const s = String.fromCodePoint(cp);
    const nfkd = s.normalize('NFKD');
    if (nfkd === s) continue; // then NFKC(s) === s too
    const nfkc = s.normalize('NFKC');
    if (nfkc !== s) rules.set(s, nfkc);
    const first = nfkd.codePointAt(0)!;
    if (nfkd.length === (first > 0xffff ? 2 : 1)) {
      const a = norm2orig.get(nfkd);
      if (a) a.push(s);
      else norm2orig.set(nfkd, [s]);
    } else {
      decomposed.add(nfkd);
    }
  }
  for (const nfkd of decomposed) {
    const nfc = nfkd.normalize('NFC');
    if (nfc === nfkd) continue;
    for (const variant of expandUnnormalized([...nfkd], norm2orig)) {
      if (variant !== nfc) rules.set(variant, nfc);
    }
  }
  return rules;
}

function expandUnnormalized(nfkd: string[], norm2orig: Map<string, string[]>): string[] {
  let results = [''];
  for (const ch of nfkd) {
    const others = norm2orig.get(ch);
    const orig = others ? [ch, ...others] : [ch];
    const next: string[] = [];
    for (const r of results) for (const o of orig) next.push(r + o);
    results = next;
  }
  return results;
}

/** nmt_nfkc = NFKC + whitespace and control rules, minus redundant rules. */
export function buildNmtNfkcRules(): Rules {
  const rules = buildNfkcRules();
  for (const cp of NMT_SPACES) rules.set(String.fromCodePoint(cp), ' ');
  for (const cp of NMT_DELETED) rules.set(String.fromCodePoint(cp), '');
  rules.delete(String.fromCodePoint(NMT_KEEP));
  return removeRedundant(rules);
}

/** Longest-match rewrite of src with rules whose keys have at most maxLen code points. */
function applyRules(rules: Rules, src: string[], maxLen: number): string {
  let out = '';
  for (let i = 0; i < src.length;) {
    let matched = false;
    for (let len = Math.min(maxLen, src.length - i); len >= 1; len--) {
      const key = src.slice(i, i + len).join('');
      const v = rules.get(key);
      if (v !== undefined) {
        out += v;
        i += len;
        matched = true;
        break;
      }
    }
    if (!matched) out += src[i++];
  }
  return out;
}

/** Builder::RemoveRedundantMap: keep a multi-character rule only if shorter rules do not already produce it. */
function removeRedundant(rules: Rules): Rules {
  const kept: Rules = new Map();
  const byLen = new Map<number, [string[], string][]>();
  let maxLen = 0;
  for (const [k, v] of rules) {
    const cps = [...k];
    if (cps.length === 1) { kept.set(k, v); continue; }
    maxLen = Math.max(maxLen, cps.length);
    const list = byLen.get(cps.length);
    if (list) list.push([cps, v]);
    else byLen.set(cps.length, [[cps, v]]);
  }
  for (let len = 2; len <= maxLen; len++) {
    const add: [string, string][] = [];
    for (const [cps, v] of byLen.get(len) ?? []) {
      if (applyRules(kept, cps, len - 1) !== v) add.push([cps.join(''), v]);
    }
    for (const [k, v] of add) kept.set(k, v);
  }
  return kept;
}

const utf8 = new TextEncoder();

/**
 * Compiles rules into SentencePiece's precompiled_charsmap layout:
 * [uint32 LE trie byte size][darts-clone units][NUL-terminated replacement strings].
 */
export function compileCharsMap(rules: Rules): Uint8Array {
  // Distinct targets, ordered as std::map<vector<char32>> orders them (code point sequence order).
  const targets = [...new Set(rules.values())].sort(compareCodePoints);
  const targetPos = new Map<string, number>();
  const poolParts: Uint8Array[] = [];
  let poolSize = 0;
  for (const t of targets) {
    targetPos.set(t, poolSize);
    const b = utf8.encode(t);
    poolParts.push(b);
    poolSize += b.length + 1;
  }
  const kv = [...rules].map(([k, v]) => ({ key: utf8.encode(k), value: targetPos.get(v)! }));
  kv.sort((a, b) => compareBytes(a.key, b.key));
  const da = DoubleArray.build(kv.map((x) => x.key), kv.map((x) => x.value));
  const trie = da.toBytes();
  const out = new Uint8Array(4 + trie.length + poolSize);
  new DataView(out.buffer).setUint32(0, trie.length, true);
  out.set(trie, 4);
  let p = 4 + trie.length;
  for (const part of poolParts) {
    out.set(part, p);
    p += part.length + 1; // NUL terminator (already zero)
  }
  return out;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const cached = new Map<string, Uint8Array>();
/** Bump when the rule derivation changes, so stale disk caches are not used. */
const CACHE_VERSION = 1;

/**
 * The compiled charsmap for 'nfkc' (Unicode NFKC only) or 'nmt_nfkc' (NFKC + whitespace/control folding),
 * for this JavaScript engine's Unicode version. Building takes a few seconds, so the result is kept in
 * memory and in a cache file under the OS temp dir keyed by the ICU and Unicode versions (the bytes are a
 * pure function of those).
 */
export function charsMapFor(name: 'nfkc' | 'nmt_nfkc'): Uint8Array {
  let blob = cached.get(name);
  if (blob) return blob;
  const v = process.versions;
  const file = path.join(tmpdir(), 'massivetext-charsmap', `${name}-icu${v.icu ?? 'none'}-unicode${v.unicode ?? 'x'}-v${CACHE_VERSION}.bin`);
  try {
    const b = readFileSync(file);
    const sum = b.subarray(b.length - 32);
    const body = b.subarray(0, b.length - 32);
    if (b.length > 36 && createHash('sha256').update(body).digest().equals(sum)) blob = new Uint8Array(body);
  } catch {
    // no cache yet
  }
  if (!blob) {
    blob = compileCharsMap(rulesFor(name));
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${threadId}`;
      writeFileSync(tmp, Buffer.concat([blob, createHash('sha256').update(blob).digest()]));
      renameSync(tmp, file);
    } catch {
      // a read-only temp dir only costs the rebuild next time
    }
  }
  cached.set(name, blob);
  return blob;
}

/** The rules as the TSV that `spm_train --normalization_rule_tsv` reads (source code points, target). */
export function rulesToTsv(rules: Rules): string {
  const hex = (s: string) => [...s].map((c) => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join(' ');
  let out = '';
  for (const [k, v] of rules) out += `${hex(k)}\t${hex(v)}\n`;
  return out;
}

export function rulesFor(name: 'nfkc' | 'nmt_nfkc'): Rules {
  return name === 'nfkc' ? removeRedundant(buildNfkcRules()) : buildNmtNfkcRules();
}
