/**
 * `massivetext sample --ratio R`: draw R x all tokens of a build's tokens/ by the subset mixture and
 * write them as token shards plus manifest.json (stages/sample). Prints the manifest summary as JSON.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/errors.js';
import type { SampleFormat } from '../../stages/sample/index.js';
import { action, EXIT_OK, positiveInt, writeOut } from '../cli-io.js';
import { addReporterOptions, reporterFor, type ReporterCliOptions } from '../reporter-options.js';

interface SampleCliOptions extends ReporterCliOptions {
  ratio: string;
  in: string;
  out?: string;
  weights?: string;
  seed: string;
  format: string;
  shardTokens?: number;
  force?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('sample')
    .description('draw a token-exact mixture sample of a build\'s token shards (ratio x all tokens, split by subset weights)')
    .requiredOption('--ratio <r>', 'fraction of all tokens to draw (Gopher: 300B of 2.35T = 0.128); above 1 repeats data')
    .option('--in <dir>', 'build directory holding tokens/<subset>/', './massivetext-out')
    .option('--out <dir>', 'output directory (default: <in>/sample)')
    .option('--weights <list>', 'token share per subset, renormalised over the subsets present (default: Gopher\'s web=0.48,books=0.27,c4=0.10,news=0.10,github=0.03,wikipedia=0.02)')
    .option('--seed <n>', 'seed of the document shuffles', '42')
    .option('--format <f>', 'megatron (.bin + MMIDIDX .idx) or llmc (llm.c header + tokens)', 'megatron')
    .option('--shard-tokens <n>', 'tokens per output shard (documents are never split)', positiveInt('--shard-tokens'))
    .option('--force', 'replace a sample made with other settings in --out');
  addReporterOptions(cmd)
    .addHelpText('after', `
Output: <out>/<subset>/part-NNNNN.bin (+ .idx) and <out>/<subset>/manifest.json per subset, and
<out>/manifest.json with per-subset tokens, documents, epochs and the sha256 of every file.
A subset too small for its share is repeated in whole epochs plus a seeded partial epoch.
The same inputs, ratio, weights, seed and format give byte-identical output; re-running resumes.

Examples:
  $ massivetext sample --ratio 0.128
  $ massivetext sample --ratio 0.128 --in run1 --out run1/sample-llmc --format llmc
  $ massivetext sample --ratio 0.5 --weights web=0.7,books=0.3 --seed 7 --force`)
    .action(action(async (opts: SampleCliOptions) => {
      const ratio = Number(opts.ratio);
      const seed = Number(opts.seed);
      if (!/^\d+$/.test(opts.seed)) throw new MassivetextError('bad_seed', `--seed must be a non-negative integer, got "${opts.seed}"`);
      const [{ describeSampleManifest, parseWeights, sampleTokens }, { writeFileAtomic }, { renderSampleReportHtml }] = await Promise.all([
        import('../../stages/sample/index.js'), import('../../pipeline/atomic-file.js'), import('../report/index.js'),
      ]);
      const reporter = reporterFor(opts);
      const manifest = await sampleTokens({
        in: opts.in, out: opts.out, ratio: Number.isFinite(ratio) ? ratio : NaN, seed,
        weights: opts.weights ? parseWeights(opts.weights) : undefined,
        format: opts.format as SampleFormat, shardTokens: opts.shardTokens, force: Boolean(opts.force), reporter,
      });
      reporter.clearLine();
      const out = path.resolve(opts.out ?? path.join(opts.in, 'sample'));
      for (const note of manifest.weights.notes) reporter.info(`sample: ${note}`);
      await writeFileAtomic(path.join(out, 'report.html'), renderSampleReportHtml(manifest));
      await writeOut(JSON.stringify(describeSampleManifest(manifest, out)) + '\n');
      return EXIT_OK;
    }));
}
