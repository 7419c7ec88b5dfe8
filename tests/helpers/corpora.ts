/** Paths to the shared real-data fixtures (`../shared/corpora` beside the repository) and the repo root. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.MASSIVETEXT_SHARED ?? path.resolve(repoRoot, '../shared');
export const corporaDir = path.join(sharedDir, 'corpora');

/** Absolute path of a file under shared/corpora, e.g. corpus('c4/olmo-c4-sample.01.json.gz'). */
export function corpus(rel: string): string {
  return path.join(corporaDir, rel);
}
