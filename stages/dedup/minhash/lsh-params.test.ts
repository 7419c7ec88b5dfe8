import { describe, expect, it } from 'vitest';
import { candidateProbability, chooseLshParams, sCurve } from './lsh-params.js';
import { defaultMinhashOptions } from './minhash-options.js';

describe('LSH bands x rows', () => {
  it('chooses the cheapest b x r with P(0.8) >= 0.9 and P(0.5) <= 0.01: 33 x 12, the default', () => {
    const p = chooseLshParams()!;
    expect(p).toEqual({ bands: 33, rows: 12 });
    expect({ bands: defaultMinhashOptions.bands, rows: defaultMinhashOptions.rows }).toEqual(p);
    expect(candidateProbability(0.8, p)).toBeGreaterThanOrEqual(0.9);
    expect(candidateProbability(0.5, p)).toBeLessThanOrEqual(0.01);
    // No cheaper setting meets both requirements.
    for (let rows = 1; rows <= 40; rows++) {
      for (let bands = 1; bands * rows < 396; bands++) {
        const ok = candidateProbability(0.8, { bands, rows }) >= 0.9 && candidateProbability(0.5, { bands, rows }) <= 0.01;
        expect(ok, `${bands}x${rows}`).toBe(false);
      }
    }
  });

  it('prints the documented S-curve numbers', () => {
    const c = sCurve({ bands: 33, rows: 12 }).map((x) => +x.p.toPrecision(3));
    expect(c).toEqual([0.0000175, 0.000553, 0.00803, 0.0694, 0.369, 0.654, 0.905, 0.994, 1, 1]);
  });

  it('rejects peers\' settings that miss the requirement (datatrove 14x8 at J=0.5)', () => {
    expect(candidateProbability(0.5, { bands: 14, rows: 8 })).toBeGreaterThan(0.05);
    expect(chooseLshParams({ high: 0.8, minRecall: 0.999999, low: 0.79, maxFalse: 0.000001, maxHashes: 256 })).toBeNull();
  });
});
