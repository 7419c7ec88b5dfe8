/**
 * Mixture weights for `massivetext sample`: token proportions per subset. The default is Gopher's
 * MassiveText sampling proportions (Rae et al. 2021, the MassiveText data-makeup table: MassiveWeb 48%,
 * Books 27%, C4 10%, News 10%, GitHub 3%, Wikipedia 2%; ../shared/design/gopher-spec.md §1.1).
 */
import { isSubset, MassivetextError, type Subset, SUBSETS } from '../../pipeline/index.js';

export type SampleWeights = Partial<Record<Subset, number>>;

/** Rae et al. 2021, MassiveText data makeup, "sampling proportion" column (gopher-spec.md §1.1). */
export const gopherWeights: Readonly<Record<Subset, number>> = Object.freeze({
  web: 0.48, books: 0.27, c4: 0.10, news: 0.10, github: 0.03, wikipedia: 0.02,
});

/** Parses `web=0.48,books=0.27,...`; weights are non-negative numbers, names are MassiveText subsets. */
export function parseWeights(text: string): SampleWeights {
  const out: SampleWeights = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]+)\s*[=:]\s*([0-9.eE+-]+)$/.exec(part);
    if (!m) {
      throw new MassivetextError('bad_weights', `cannot parse weight "${part}"`, 'write weights as subset=number pairs, e.g. web=0.48,books=0.27,c4=0.10');
    }
    const name = m[1] === 'massiveweb' ? 'web' : m[1];
    if (!isSubset(name)) {
      throw new MassivetextError('bad_weights', `unknown subset "${m[1]}" in --weights`, `subsets are: ${SUBSETS.join(', ')}`);
    }
    const w = Number(m[2]);
    if (!Number.isFinite(w) || w < 0) {
      throw new MassivetextError('bad_weights', `weight of ${name} must be a non-negative number, got "${m[2]}"`, '');
    }
    if (out[name] !== undefined) throw new MassivetextError('bad_weights', `subset ${name} appears twice in --weights`, '');
    out[name] = w;
  }
  if (!Object.keys(out).length) throw new MassivetextError('bad_weights', 'no weights given', 'e.g. --weights web=0.48,books=0.27,c4=0.10,news=0.10,github=0.03,wikipedia=0.02');
  return out;
}

export interface WeightResolution {
  /** Weights as given. */
  requested: SampleWeights;
  /** Renormalised over the subsets present with a positive weight; sums to 1. */
  used: SampleWeights;
  renormalised: boolean;
  /** Human-readable notes: absent subsets whose share was redistributed, present subsets left out. */
  notes: string[];
}

/** Restricts the weights to the subsets that have tokens and renormalises them to sum to 1. */
export function resolveWeights(requested: SampleWeights, present: readonly Subset[]): WeightResolution {
  const notes: string[] = [];
  const used: SampleWeights = {};
  let sum = 0;
  for (const s of SUBSETS) {
    const w = requested[s] ?? 0;
    if (w > 0 && present.includes(s)) { used[s] = w; sum += w; }
  }
  if (sum <= 0) {
    throw new MassivetextError('no_weighted_subsets', `none of the weighted subsets (${Object.keys(requested).join(', ')}) has tokens; present: ${present.join(', ') || 'none'}`,
      'give a positive weight to at least one subset present under tokens/');
  }
  const absent = SUBSETS.filter((s) => (requested[s] ?? 0) > 0 && !present.includes(s));
  if (absent.length) notes.push(`no tokens for ${absent.join(', ')}: their weight was shared out over the subsets present`);
  const unweighted = present.filter((s) => !((requested[s] ?? 0) > 0));
  if (unweighted.length) notes.push(`${unweighted.join(', ')} present but without weight: not sampled`);
  const requestedSum = Object.values(requested).reduce((a, w) => a + (w ?? 0), 0);
  const renormalised = absent.length > 0 || Math.abs(requestedSum - 1) > 1e-9;
  if (renormalised) notes.push(`weights renormalised over ${Object.keys(used).join(', ')} to sum to 1 (requested sum ${round6(requestedSum)}, used sum ${round6(sum)})`);
  for (const s of Object.keys(used) as Subset[]) used[s] = used[s]! / sum;
  return { requested: { ...requested }, used, renormalised, notes };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
