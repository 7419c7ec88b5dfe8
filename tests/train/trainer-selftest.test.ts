/**
 * The bundled trainer's model pieces on Debian's torch: Transformer-XL relative shift against a direct
 * computation, causality, the LR schedule, and (on a torch with scaled_dot_product_attention) the fused
 * attention against the explicit one. trainer/selftest.py does the work and prints JSON.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/corpora.js';

const PYTHON = process.env.MASSIVETEXT_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasTorch && !process.env.CI)('bundled Gopher trainer self-test', () => {
  it('relative attention, causality and the LR schedule are right', () => {
    const r = spawnSync(PYTHON, [path.join(repoRoot, 'trainer', 'selftest.py'), 'cpu'], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.rel_shift_max_err).toBeLessThan(1e-12);
    expect(out.causal_leak).toBe(0);
    expect(out.lr_first).toBeLessThan(2e-4);
    expect(out.lr_peak).toBeCloseTo(1e-3, 12);
    expect(out.lr_last).toBeCloseTo(1e-4, 6);
  });
});
