/**
 * Tokenizer steps of `build`: `tokenizer-train` (one global job) trains on a sample of the kept documents
 * drawn by the subset mixture; `encode` turns every docs part into a token shard
 * (tokens/<subset>/part-NNNNN.bin + Megatron .idx, EOS after each document) on the worker pool; and
 * `tokens-manifest` writes tokens/<subset>/manifest.json (tokens, documents, sha256 per file).
 *
 * Sampling for training: subset s gets `trainingBytes x w_s / sum(w)` bytes (w = mixture weight, over the
 * subsets present); a document is taken when a hash of its id falls under the subset's rate, so the
 * sample is spread over all parts, deterministic, and the same for any task split.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  collectStepStats, type Document, readDocuments, type RunStats, type Step, type StepContext, type Subset, SUBSETS, type Unit, writeFileAtomic,
} from '../../pipeline/index.js';
import { loadModel, trainTokenizer, writeModel } from '../../tokenizer/index.js';
import { buildTokenManifest, tokenShardEntry, type TokenShardSummary, TokenShardWriter, writeTokenManifest } from '../../pipeline/token-shards.js';
import type { Recipe } from '../recipe/recipe.js';
import type { EncodedBatch } from './encode-worker.js';
import { layout, partFile } from './layout.js';

interface PartUnit extends Unit { subset: Subset; part: number }

/** Models loaded in this process, by file: loading builds a double array, so do it once. */
const loaded = new Map<string, ReturnType<typeof loadModel>>();
function loadModelOnce(file: string): ReturnType<typeof loadModel> {
  let m = loaded.get(file);
  if (!m) {
    m = loadModel(file);
    m.catch(() => loaded.delete(file));
    loaded.set(file, m);
  }
  return m;
}

const ENCODE_MODULE = new URL('./encode-worker.js', import.meta.url).href;
const ENCODE_BATCH_DOCS = 256;

/** Fraction of a subset's documents to sample: its byte budget over its kept bytes (at most 1). */
export function samplingRates(recipe: Recipe, keptBytes: Map<Subset, number>): Map<Subset, number> {
  const present = SUBSETS.filter((s) => (keptBytes.get(s) ?? 0) > 0);
  const wsum = present.reduce((a, s) => a + recipe.mixture[s], 0) || 1;
  const rates = new Map<Subset, number>();
  for (const s of present) {
    const budget = (recipe.tokenizer!.trainingBytes * recipe.mixture[s]) / wsum;
    rates.set(s, Math.min(1, budget / keptBytes.get(s)!));
  }
  return rates;
}

/** A deterministic number in [0, 1) from a document id. */
export function idFraction(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32;
}

async function listParts(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => /^part-\d{5}\.jsonl\.zst$/.test(n)).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

export function tokenizerSteps(recipe: Recipe, partUnits: () => Promise<{ subset: Subset; part: number }[]>): Step<Unit>[] {
  if (!recipe.tokenizer) return [];
  const tk = recipe.tokenizer;
  const modelFile = (out: string) => `${layout.tokenizerPrefix(out)}.model`;
  const encodeUnits = async (): Promise<PartUnit[]> =>
    (await partUnits()).map((u) => ({ key: `${u.subset}-${String(u.part).padStart(5, '0')}`, subset: u.subset, part: u.part }));

  const train: Step<Unit> = {
    name: 'tokenizer-train',
    kind: 'global',
    async units() {
      return [{ key: 'tokenizer' }];
    },
    async runUnit(_u, ctx): Promise<RunStats> {
      const { stats } = await collectStepStats(ctx.outDir, 'decontaminate');
      const kept = new Map<Subset, number>();
      for (const s of SUBSETS) if (stats[s]?.bytes_out) kept.set(s, stats[s]!.bytes_out!);
      const rates = samplingRates(recipe, kept);
      const used: RunStats = {};
      async function* texts(): AsyncGenerator<string> {
        for (const s of SUBSETS) {
          const rate = rates.get(s);
          if (!rate) continue;
          const c = (used[s] = { docs: 0, bytes: 0 });
          for (const part of await listParts(layout.docs(ctx.outDir, s))) {
            for await (const d of readDocuments(part)) {
              if (idFraction(d.id) >= rate) continue;
              c.docs!++;
              c.bytes! += Buffer.byteLength(d.text);
              yield d.text;
            }
          }
        }
      }
      ctx.reporter.info(`tokenizer-train: ${tk.modelType}, ${tk.vocabSize} pieces, sampling ~${(tk.trainingBytes / 1e6).toFixed(1)} MB of kept text by the mixture`);
      const model = await trainTokenizer(texts(), {
        ...(tk.with ?? {}), vocabSize: tk.vocabSize, modelType: tk.modelType, threads: ctx.workers,
        onProgress: (p: { phase: string; pieces?: number }) => ctx.reporter.progress({ step: `tokenizer-train ${p.phase}`, done: p.pieces ?? 0, unit: 'pieces' }),
      } as Parameters<typeof trainTokenizer>[1]);
      await writeModel(layout.tokenizerPrefix(ctx.outDir), model);
      return { ...used, tokenizer: { vocab_size: model.vocabSize } };
    },
  };

  const encode: Step<Unit> = {
    name: 'encode',
    kind: 'array',
    units: encodeUnits,
    async runUnit(unit, ctx): Promise<RunStats> {
      const u = unit as PartUnit;
      const model = await loadModelOnce(modelFile(ctx.outDir));
      const bin = path.join(layout.tokens(ctx.outDir, u.subset), `part-${String(u.part).padStart(5, '0')}.bin`);
      const writer = await TokenShardWriter.open(bin, { vocabSize: model.vocabSize, eosId: model.eosId });
      let docs = 0;
      let bytes = 0;
      try {
        const batches = (async function* () {
          let batch: string[] = [];
          for await (const d of readDocuments(partFile(layout.docs(ctx.outDir, u.subset), u.part)) as AsyncIterable<Document>) {
            batch.push(d.text);
            bytes += Buffer.byteLength(d.text);
            if (batch.length >= ENCODE_BATCH_DOCS) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length) yield batch;
        })();
        const encoded = ctx.pool
          ? ctx.pool.map<string[], { modelFile: string }, EncodedBatch>(ENCODE_MODULE, 'encodeBatch', { modelFile: modelFile(ctx.outDir) }, batches)
          : (async function* () {
              const { encodeBatch } = await import(ENCODE_MODULE);
              for await (const b of batches) yield (await encodeBatch(b, { modelFile: modelFile(ctx.outDir) })) as EncodedBatch;
            })();
        for await (const { ids, ends } of encoded) {
          let start = 0;
          for (let i = 0; i < ends.length; i++) {
            writer.addDocument(ids.subarray(start, ends[i]!));
            start = ends[i]!;
            docs++;
          }
        }
        const summary = await writer.commit();
        await writeFileAtomic(path.join(ctx.outDir, 'work', 'encode', u.subset, `part-${String(u.part).padStart(5, '0')}.json`), JSON.stringify(summary) + '\n');
        return { [u.subset]: { docs, bytes, tokens: summary.tokens } };
      } catch (e) {
        await writer.abort();
        throw e;
      }
    },
  };

  const manifest: Step<Unit> = {
    name: 'tokens-manifest',
    kind: 'array',
    async units() {
      const subsets = [...new Set((await partUnits()).map((u) => u.subset))];
      return subsets.map((s) => ({ key: s, subset: s }));
    },
    async runUnit(unit, ctx): Promise<RunStats> {
      const s = (unit as Unit & { subset: Subset }).subset;
      const model = await loadModelOnce(modelFile(ctx.outDir));
      const parts = (await partUnits()).filter((u) => u.subset === s);
      const dir = layout.tokens(ctx.outDir, s);
      const entries = [];
      for (const p of parts) {
        const summary = JSON.parse(await fs.readFile(path.join(ctx.outDir, 'work', 'encode', s, `part-${String(p.part).padStart(5, '0')}.json`), 'utf8')) as TokenShardSummary;
        entries.push(tokenShardEntry(summary, dir));
      }
      const m = buildTokenManifest(entries, { vocabSize: model.vocabSize, eosId: model.eosId, meta: { subset: s, tokenizer: 'tokenizer/massivetext.model' } });
      await writeTokenManifest(dir, m);
      return { [s]: { tokens: m.tokens, documents: m.documents, shards: entries.length } };
    },
  };
  return [train, encode, manifest];
}
