/**
 * `npm run bench -- tokenizer-train [--mb 60] [--vocab 32000] [--threads 2] [--model-type unigram|bpe]`:
 * trains a 32k model on >= 50 MB of real prose (bench corpus) with our trainer and with Debian's
 * spm_train at the same thread count and settings (nmt_nfkc, byte fallback), and reports wall and CPU
 * time, peak RSS, held-out bytes per token (both models encoded by spm_encode) and vocabulary overlap.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tokenizerBenchData } from './_tokenizer-data.js';
import { argValue, cliJs, countIds, overlap, pieceSet, round, runTimed } from './_tokenizer-util.js';

export async function run(args: string[]): Promise<unknown> {
  const mb = Number(argValue(args, 'mb', '60'));
  const vocab = argValue(args, 'vocab', '32000');
  const threads = argValue(args, 'threads', '2');
  const type = argValue(args, 'model-type', 'unigram');
  const data = await tokenizerBenchData(mb);
  const dir = mkdtempSync(path.join(tmpdir(), 'mt-bench-train-'));
  try {
    const oursPrefix = path.join(dir, 'ours');
    const spmPrefix = path.join(dir, 'spm');
    const ours = await runTimed(process.execPath, [cliJs, 'tokenizer', 'train', '--input', data.train, '--vocab-size', vocab,
      '--model-type', type, '--threads', threads, '--normalization', 'nmt_nfkc', '--out', oursPrefix, '--quiet']);
    if (ours.status !== 0) throw new Error(`our trainer failed:\n${ours.stderrTail}`);
    const spm = await runTimed('spm_train', [`--input=${data.train}`, `--model_prefix=${spmPrefix}`, `--vocab_size=${vocab}`,
      `--model_type=${type}`, `--num_threads=${threads}`, '--byte_fallback=true', '--allow_whitespace_only_pieces=true', '--minloglevel=1']);
    if (spm.status !== 0) throw new Error(`spm_train failed:\n${spm.stderrTail}`);
    const bpt = async (model: string) => {
      const out = path.join(dir, `${path.basename(model)}.ids`);
      const r = await runTimed('spm_encode', [`--model=${model}`, '--output_format=id', `--input=${data.heldOut}`], out);
      if (r.status !== 0) throw new Error(`spm_encode failed:\n${r.stderrTail}`);
      const { ids } = await countIds(out);
      return { tokens: ids, bytesPerToken: round(data.heldOutBytes / ids, 4) };
    };
    const oursQ = await bpt(`${oursPrefix}.model`);
    const spmQ = await bpt(`${spmPrefix}.model`);
    const a = pieceSet(`${oursPrefix}.model`);
    const b = pieceSet(`${spmPrefix}.model`);
    const shared = overlap(a, b);
    return {
      corpus: { trainMB: round(data.trainBytes / 1e6, 1), trainLines: data.trainLines, heldOutMB: round(data.heldOutBytes / 1e6, 2) },
      settings: { vocabSize: Number(vocab), modelType: type, threads: Number(threads), normalization: 'nmt_nfkc', byteFallback: true },
      ours: { wallS: ours.wallS, cpuS: round(ours.cpuS, 1), peakRssMb: ours.peakRssMb, ...oursQ, modelBytes: statSync(`${oursPrefix}.model`).size },
      spm_train: { wallS: spm.wallS, cpuS: round(spm.cpuS, 1), peakRssMb: spm.peakRssMb, ...spmQ, modelBytes: statSync(`${spmPrefix}.model`).size },
      ratios: {
        wallOursOverSpm: round(ours.wallS / spm.wallS, 2),
        cpuOursOverSpm: round(ours.cpuS / spm.cpuS, 2),
        rssOursOverSpm: round(ours.peakRssMb / spm.peakRssMb, 2),
        bytesPerTokenOursOverSpm: round(oursQ.bytesPerToken / spmQ.bytesPerToken, 4),
      },
      vocabularyOverlap: { shared, ofNormalPieces: Math.max(a.size, b.size), fraction: round(shared / Math.max(a.size, b.size), 4) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
