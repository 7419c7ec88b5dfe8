/** For `massivetext inspect DIR`: what a sample directory holds, per subset. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError, type Subset, SUBSETS } from '../../pipeline/index.js';
import type { SampleManifest } from './sample-tokens.js';

export interface SampleDescription {
  dir: string;
  ratio: number;
  seed: number;
  shardFormat: string;
  targetTokens: number;
  tokens: number;
  documents: number;
  inputTokens: number;
  weightsRenormalised: boolean;
  notes: string[];
  subsets: { subset: Subset; weight: number; tokens: number; documents: number; epochs: number; fullEpochs: number; shards: number; share: number }[];
}

/** Pure: the per-subset summary of a sample manifest. */
export function describeSampleManifest(m: SampleManifest, dir = ''): SampleDescription {
  return {
    dir, ratio: m.ratio, seed: m.seed, shardFormat: m.shardFormat, targetTokens: m.targetTokens, tokens: m.tokens, documents: m.documents,
    inputTokens: m.input.tokens, weightsRenormalised: m.weights.renormalised, notes: m.weights.notes,
    subsets: SUBSETS.filter((s) => m.subsets[s]).map((s) => {
      const x = m.subsets[s]!;
      return { subset: s, weight: x.weight, tokens: x.tokens, documents: x.documents, epochs: x.epochs, fullEpochs: x.fullEpochs, shards: x.shards, share: m.tokens ? x.tokens / m.tokens : 0 };
    }),
  };
}

/** Reads `dir/manifest.json` of a sample directory and summarises it. */
export async function describeSample(dir: string): Promise<SampleDescription> {
  const file = path.join(dir, 'manifest.json');
  let m: SampleManifest;
  try {
    m = JSON.parse(await fs.readFile(file, 'utf8')) as SampleManifest;
  } catch (e) {
    throw new MassivetextError('not_a_sample', `no readable sample manifest at ${file}`, 'run `massivetext sample` (it writes the manifest last; an interrupted run resumes when re-run)', { file }, { cause: e });
  }
  if (m.format !== 'massivetext-sample') throw new MassivetextError('not_a_sample', `${file} is not a sample manifest`, '', { file });
  return describeSampleManifest(m, dir);
}
