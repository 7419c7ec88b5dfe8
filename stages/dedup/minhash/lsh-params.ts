/**
 * LSH banding: b bands of r rows. A pair with Jaccard similarity s shares at least one band (becomes a
 * candidate) with probability P(s) = 1 - (1 - s^r)^b — the S-curve.
 *
 * Issue 6 asks for P(0.8) >= 0.9 (recall at the paper's threshold, gopher-spec.md §2.6: 13-gram Jaccard
 * >= 0.8) and P(0.5) <= 0.01. The smallest b x r meeting both is 33 x 12 = 396 hashes
 * (r <= 11 cannot meet both; r = 13 needs 41 x 13 = 533). Peers' choices for comparison (gopher-spec.md):
 * datatrove 14 x 8 (P(0.8) = 0.92 but P(0.5) = 0.053), RedPajama-V2 9 x 13 for 0.8 (P(0.8) = 0.40).
 *
 * S-curve of the default 33 x 12 (from `sCurve`; `massivetext dedup --lsh-params` prints it):
 *
 *   J      0.30      0.40     0.50     0.60    0.70    0.75    0.80    0.85    0.90    0.95
 *   P   0.0000175  0.00055  0.0080   0.069   0.369   0.654   0.905   0.994   1.000   1.000
 */

export interface LshParams {
  bands: number;
  rows: number;
}

/** Probability that a pair at Jaccard s becomes a candidate under b bands of r rows. */
export function candidateProbability(s: number, p: LshParams): number {
  return 1 - Math.pow(1 - Math.pow(s, p.rows), p.bands);
}

export interface LshRequirement {
  /** Similarity that must be caught ... */
  high: number;
  /** ... with at least this probability. */
  minRecall: number;
  /** Similarity that must rarely become a candidate ... */
  low: number;
  /** ... with at most this probability. */
  maxFalse: number;
  /** Upper bound on b x r considered. */
  maxHashes: number;
}

/** Issue 6's requirement: P(0.8) >= 0.9, P(0.5) <= 0.01. */
export const defaultLshRequirement: LshRequirement = { high: 0.8, minRecall: 0.9, low: 0.5, maxFalse: 0.01, maxHashes: 2048 };

/** The (b, r) with the fewest hashes meeting the requirement (ties: the higher recall). Null if none. */
export function chooseLshParams(req: LshRequirement = defaultLshRequirement): LshParams | null {
  let best: LshParams | null = null;
  let bestRecall = 0;
  for (let rows = 1; rows <= 64; rows++) {
    for (let bands = 1; bands * rows <= req.maxHashes; bands++) {
      const p = { bands, rows };
      const hi = candidateProbability(req.high, p);
      if (hi < req.minRecall) continue;
      const lo = candidateProbability(req.low, p);
      if (lo > req.maxFalse) break; // more bands only raise P(low)
      const n = bands * rows;
      if (!best || n < best.bands * best.rows || (n === best.bands * best.rows && hi > bestRecall)) {
        best = p;
        bestRecall = hi;
      }
      break; // the first feasible b for this r is the cheapest
    }
  }
  return best;
}

/** The S-curve at the given similarities. */
export function sCurve(p: LshParams, at: number[] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]): { jaccard: number; p: number }[] {
  return at.map((s) => ({ jaccard: s, p: candidateProbability(s, p) }));
}
