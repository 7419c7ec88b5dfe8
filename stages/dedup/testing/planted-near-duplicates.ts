/**
 * Planted near-duplicates for measuring dedup quality: from real documents, make variants at known
 * 13-gram Jaccard similarity by word edits, inserted passages, or boilerplate headers/footers, then
 * shuffle bases and variants together. Each pair records its exact Jaccard (over the same normalised
 * word shingles the dedup uses), so recall and false removals can be measured per similarity level.
 * Deterministic for a given seed. Used by the quality test and the benchmark; not part of the pipeline.
 */
import type { Document } from '../../../pipeline/document.js';
import { to53 } from '../../../pipeline/hash.js';
import { shingles } from '../minhash/shingles.js';

export type EditKind = 'edit' | 'insert' | 'boilerplate';

export interface PlantedPair {
  baseId: string;
  variantId: string;
  kind: EditKind;
  target: number;
  /** Exact Jaccard similarity of the two documents' word n-gram sets. */
  jaccard: number;
}

export interface PlantOptions {
  seed: number;
  /** Target similarities, cycled over the bases. */
  levels: number[];
  kinds: EditKind[];
  /** Words per shingle for the Jaccard (the dedup's n). */
  n: number;
  /** Fraction of bases that get a variant (the rest stay single). */
  fraction: number;
}

export const defaultPlantOptions: PlantOptions = {
  seed: 1,
  levels: [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
  kinds: ['edit', 'insert', 'boilerplate'],
  n: 13,
  fraction: 1,
};

/** Mulberry32: a small deterministic PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shingleSet(text: string, n: number): Set<number> {
  const s = shingles(text, { n });
  const out = new Set<number>();
  for (let i = 0; i < s.count; i++) out.add(to53(s.h1[i]!, s.h2[i]!));
  return out;
}

export function jaccard(a: Set<number>, b: Set<number>): number {
  if (!a.size && !b.size) return 1;
  let inter = 0;
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Splits a long text into documents of minWords..maxWords words at paragraph (blank line) boundaries. */
export function chunkText(text: string, minWords = 150, maxWords = 900): string[] {
  const paras = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const out: string[] = [];
  let cur: string[] = [];
  let words = 0;
  for (const p of paras) {
    const w = p.split(/\s+/).length;
    if (words + w > maxWords && words >= minWords) {
      out.push(cur.join('\n\n'));
      cur = [];
      words = 0;
    }
    cur.push(p);
    words += w;
  }
  if (words >= minWords) out.push(cur.join('\n\n'));
  return out;
}

interface VariantMaker {
  make(k: number): string;
  maxK: number;
}

function maker(kind: EditKind, base: string, filler: string[], boiler: string[], rnd: () => number): VariantMaker {
  const tokens = base.split(/(\s+)/); // words at even indices, whitespace at odd
  const wordIdx: number[] = [];
  for (let i = 0; i < tokens.length; i += 2) if (tokens[i]) wordIdx.push(i);
  if (kind === 'edit') {
    // Substitute k words at fixed random positions (a prefix of one shuffle, so J falls as k grows).
    const order = wordIdx.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const subs = order.map(() => filler[Math.floor(rnd() * filler.length)]!);
    return {
      maxK: order.length,
      make(k) {
        const t = tokens.slice();
        for (let i = 0; i < k; i++) t[order[i]!] = subs[i]!;
        return t.join('');
      },
    };
  }
  if (kind === 'insert') {
    // Insert a passage of k words from another real document at one random word boundary.
    const at = wordIdx[Math.floor(rnd() * wordIdx.length)] ?? 0;
    const start = Math.floor(rnd() * Math.max(1, filler.length - 4 * wordIdx.length));
    return {
      maxK: Math.min(filler.length - start, 4 * wordIdx.length),
      make(k) {
        const passage = filler.slice(start, start + k).join(' ');
        return [...tokens.slice(0, at), passage, ' ', ...tokens.slice(at)].join('');
      },
    };
  }
  // Boilerplate: k words of real header/footer lines, split between top and bottom.
  const lines = boiler.slice();
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  const bw = lines.join('\n').split(/\s+/).filter(Boolean);
  return {
    maxK: Math.min(bw.length, 4 * wordIdx.length),
    make(k) {
      const head = bw.slice(0, Math.ceil(k / 2)).join(' ');
      const foot = bw.slice(Math.ceil(k / 2), k).join(' ');
      return `${head}\n\n${base}\n\n${foot}`.trim();
    },
  };
}

/**
 * Makes the planted corpus: every base document, plus for a `fraction` of them a variant at the next
 * target level (cycling through levels and kinds), all shuffled. `filler` is real text (other documents)
 * used for substitutions and insertions; `boilerplate` real header/footer lines.
 */
export function plantNearDuplicates(bases: { id: string; text: string }[], filler: string, boilerplate: string[],
  options: Partial<PlantOptions> = {}): { docs: Document[]; pairs: PlantedPair[] } {
  const o = { ...defaultPlantOptions, ...options };
  const rnd = prng(o.seed);
  const fillerWords = filler.split(/\s+/).filter(Boolean);
  const docs: Document[] = bases.map((b) => ({ id: b.id, subset: 'web', text: b.text, meta: {} }));
  const pairs: PlantedPair[] = [];
  let v = 0;
  for (let i = 0; i < bases.length; i++) {
    if (rnd() >= o.fraction) continue;
    const base = bases[i]!;
    const target = o.levels[v % o.levels.length]!;
    const kind = o.kinds[Math.floor(v / o.levels.length) % o.kinds.length]!;
    v++;
    const a = shingleSet(base.text, o.n);
    const m = maker(kind, base.text, fillerWords, boilerplate, rnd);
    // Smallest k with J(k) <= target (J falls with k), then the closer of k-1 and k.
    let lo = 0;
    let hi = m.maxK;
    const jAt = (k: number) => jaccard(a, shingleSet(m.make(k), o.n));
    if (jAt(hi) > target) continue; // this base cannot reach the level with this kind
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (jAt(mid) <= target) hi = mid;
      else lo = mid + 1;
    }
    let k = lo;
    if (k > 0 && Math.abs(jAt(k - 1) - target) < Math.abs(jAt(k) - target)) k--;
    const text = m.make(k);
    const variantId = `${base.id}~${kind}${Math.round(target * 100)}`;
    docs.push({ id: variantId, subset: 'web', text, meta: {} });
    pairs.push({ baseId: base.id, variantId, kind, target, jaccard: jaccard(a, shingleSet(text, o.n)) });
  }
  for (let i = docs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [docs[i], docs[j]] = [docs[j]!, docs[i]!];
  }
  return { docs, pairs };
}

export interface DedupQuality {
  /** Pairs with J >= highAt, and the fraction of them put in one cluster. */
  high: { pairs: number; caught: number; recall: number };
  /** Pairs with J <= lowAt, and the fraction of them wrongly put in one cluster. */
  low: { pairs: number; caught: number; falseRate: number };
  /** Documents removed that are not one of a planted pair at J > lowAt (should be near 0). */
  unexpectedRemovals: number;
  byLevel: { target: number; pairs: number; caught: number; meanJaccard: number }[];
}

/** Scores removal records ({id, duplicate_of, cluster}) against the planted pairs. */
export function scorePlanted(pairs: PlantedPair[], removed: { id: string; duplicate_of: string; cluster: number }[],
  highAt = 0.85, lowAt = 0.6): DedupQuality {
  const rem = new Map(removed.map((r) => [r.id, r]));
  const together = (a: string, b: string): boolean => {
    const ra = rem.get(a);
    const rb = rem.get(b);
    if (ra?.duplicate_of === b || rb?.duplicate_of === a) return true;
    return ra !== undefined && rb !== undefined && ra.cluster === rb.cluster;
  };
  const q: DedupQuality = { high: { pairs: 0, caught: 0, recall: 0 }, low: { pairs: 0, caught: 0, falseRate: 0 }, unexpectedRemovals: 0, byLevel: [] };
  const levels = new Map<number, { target: number; pairs: number; caught: number; sumJ: number }>();
  const expected = new Set<string>();
  for (const p of pairs) {
    const caught = together(p.baseId, p.variantId);
    if (p.jaccard >= highAt) { q.high.pairs++; if (caught) q.high.caught++; }
    if (p.jaccard <= lowAt) { q.low.pairs++; if (caught) q.low.caught++; }
    if (p.jaccard > lowAt) { expected.add(p.baseId); expected.add(p.variantId); }
    const l = levels.get(p.target) ?? { target: p.target, pairs: 0, caught: 0, sumJ: 0 };
    l.pairs++;
    l.sumJ += p.jaccard;
    if (caught) l.caught++;
    levels.set(p.target, l);
  }
  for (const r of removed) if (!expected.has(r.id)) q.unexpectedRemovals++;
  q.high.recall = q.high.pairs ? q.high.caught / q.high.pairs : 0;
  q.low.falseRate = q.low.pairs ? q.low.caught / q.low.pairs : 0;
  q.byLevel = [...levels.values()].sort((a, b) => a.target - b.target)
    .map((l) => ({ target: l.target, pairs: l.pairs, caught: l.caught, meanJaccard: +(l.sumJ / l.pairs).toFixed(3) }));
  return q;
}
