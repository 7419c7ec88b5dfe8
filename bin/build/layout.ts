/** Where each step of `build` writes under the output directory (ARCHITECTURE.md section 4). */
import * as path from 'node:path';
import type { Subset } from '../../pipeline/index.js';

export const layout = {
  ingest: (out: string, subset: Subset) => path.join(out, 'work', 'ingest', subset),
  exact: (out: string, subset: Subset) => path.join(out, 'work', 'exact', subset),
  near: (out: string, subset: Subset) => path.join(out, 'work', 'near', subset),
  minhash: (out: string, subset: Subset) => path.join(out, 'work', 'minhash', subset),
  docs: (out: string, subset: Subset) => path.join(out, 'docs', subset),
  rejected: (out: string, step: string, subset: Subset) => path.join(out, 'rejected', step, subset),
  tokenizerPrefix: (out: string) => path.join(out, 'tokenizer', 'massivetext'),
  tokens: (out: string, subset: Subset) => path.join(out, 'tokens', subset),
  report: (out: string) => path.join(out, 'report.json'),
  reportHtml: (out: string) => path.join(out, 'report.html'),
};

export function partFile(dir: string, index: number): string {
  return path.join(dir, `part-${String(index).padStart(5, '0')}.jsonl.zst`);
}
