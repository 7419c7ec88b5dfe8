/** Variants of the bundled recipe for tests: same sample inputs (as absolute paths), other settings. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './corpora.js';

export const bundledRecipe = path.join(repoRoot, 'recipes', 'default.json');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Writes a copy of the bundled recipe into dir with `edit` applied; input paths made absolute. */
export async function writeRecipeVariant(dir: string, edit: (r: Json) => void, name = 'recipe.json'): Promise<string> {
  const r = JSON.parse(await fs.readFile(bundledRecipe, 'utf8')) as Json;
  const base = path.dirname(bundledRecipe);
  for (const s of Object.values(r.subsets as Json)) {
    for (const src of s.sources as Json[]) {
      src.inputs = src.inputs.map((p: string) => path.resolve(base, p));
      if (src.shared) src.shared = src.shared.map((p: string) => path.resolve(base, p));
      for (const [k, v] of Object.entries(src.with ?? {})) if (typeof v === 'string' && v.startsWith('.')) src.with[k] = path.resolve(base, v);
    }
  }
  edit(r);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await fs.writeFile(file, JSON.stringify(r, null, 2));
  return file;
}

/** A quicker recipe over the same sample: small vocabulary and training sample. */
export function quick(r: Json): void {
  r.tokenizer.vocabSize = 1000;
  r.tokenizer.trainingBytes = 1_500_000;
}
