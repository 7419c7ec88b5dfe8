/**
 * `massivetext build`: the whole recipe. Without --config, the bundled recipe over the bundled sample.
 * Re-running the same command resumes (done units are skipped; outputs are byte-identical).
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/errors.js';
import type { Step, StepContext, Unit } from '../../pipeline/index.js';
import { action, EXIT_OK, EXIT_SKIPPED, positiveInt } from '../cli-io.js';
import type { Recipe } from '../recipe/recipe.js';
import { addReporterOptions, reporterFor, type ReporterCliOptions } from '../reporter-options.js';
import { readKinds } from './read.js';

// The engine, the recipe and the sources are imported by the functions that use them, so that
// `massivetext --help` and the other commands do not load them at start-up.

export interface BuildCliOptions extends ReporterCliOptions {
  config?: string;
  out: string;
  workers?: number;
  tasks?: number;
  executor: string;
  force?: boolean;
  only?: string[];
  slurmOpt?: string[];
  wait?: boolean;
}

/** Loads the recipe and its steps, as `build` and `worker` both need them. */
export async function prepareBuild(configFile: string | undefined): Promise<{ recipe: Recipe; steps: Step<Unit>[]; inputs: string[] }> {
  const [kinds, { bundledRecipePath, loadRecipe }, { assembleSteps }, { expandInputs }] = await Promise.all([
    readKinds(), import('../recipe/recipe.js'), import('../build/assemble.js'), import('../build/inputs.js'),
  ]);
  const recipe = await loadRecipe(configFile ?? bundledRecipePath(), Object.keys(kinds));
  const steps = assembleSteps(recipe, kinds);
  const inputs: string[] = [];
  for (const [subset, sr] of Object.entries(recipe.subsets)) {
    for (const [i, src] of sr.sources.entries()) {
      inputs.push(...(await expandInputs(src.inputs, recipe.baseDir, `subsets.${subset}.sources[${i}]`)));
      if (src.shared) inputs.push(...(await expandInputs(src.shared, recipe.baseDir, `subsets.${subset}.sources[${i}].shared`)));
    }
  }
  for (const f of recipe.dedup.against) inputs.push(...(await expandInputs([f], recipe.baseDir, 'dedup.against')));
  return { recipe, steps, inputs };
}

export async function openBuildManifest(outDir: string, recipe: Recipe, inputs: string[], force: boolean) {
  const [{ canonicalJson, describeInputs, fingerprint, openManifest }, { recipeForFingerprint }] = await Promise.all([
    import('../../pipeline/index.js'), import('../recipe/recipe.js'),
  ]);
  const local = inputs.filter((f) => !/^[a-z]+:\/\//.test(f));
  const described = await describeInputs(local);
  const rel = described.map((d) => ({ ...d, path: path.relative(recipe.baseDir, d.path) }));
  const config = recipeForFingerprint(recipe);
  const fp = fingerprint(canonicalJson({ config, inputs: rel.map((r) => [r.path, r.sha256]) }));
  return openManifest(outDir, fp, config, rel, force);
}

export async function updateManifestSteps(outDir: string, steps: Step<Unit>[], ctx: StepContext): Promise<void> {
  const { collectStepStats, readManifest, writeManifest } = await import('../../pipeline/index.js');
  const m = await readManifest(outDir);
  if (!m) return;
  for (const step of steps) {
    let units = 0;
    try {
      units = (await step.units(ctx)).length;
    } catch {
      units = 0;
    }
    const { done } = await collectStepStats(outDir, step.name);
    m.steps[step.name] = { units, done: done.length, complete: units > 0 && done.length >= units };
  }
  await writeManifest(outDir, m);
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('run the whole recipe: sources -> extraction -> filters -> dedup -> decontamination -> tokenizer -> token shards')
    .option('--config <file>', 'recipe JSON (default: the bundled recipe over the bundled sample)')
    .option('--out <dir>', 'output directory', 'massivetext-out')
    .option('--workers <n>', 'worker threads for CPU-bound stages (default: all cores)', positiveInt('--workers'))
    .option('--executor <name>', 'local or slurm', 'local')
    .option('--tasks <n>', 'split each step into N tasks', positiveInt('--tasks'))
    .option('--only <steps...>', 'run only these steps')
    .option('--force', 'discard outputs of a build made with another config');
  addReporterOptions(cmd, { json: 'progress and events as JSON lines on stderr' })
    .option('--wait', 'with --executor slurm: wait for the jobs and report failed tasks with their logs')
    .option('--slurm-opt <opt...>', 'extra sbatch options, e.g. --slurm-opt=--partition=cpu --slurm-opt=--time=04:00:00')
    .addHelpText('after', `
Examples:
  $ massivetext build                                  # bundled recipe + sample -> ./massivetext-out
  $ massivetext build --config my-recipe.json --out /data/mt --workers 16
  $ massivetext build --executor slurm --tasks 64 --slurm-opt=--partition=cpu
Re-running the same command resumes where it stopped; the output bytes are the same as an uninterrupted run.`)
    .action(action(async (opts: BuildCliOptions) => runBuild(opts)));
}

export async function runBuild(opts: BuildCliOptions): Promise<number> {
  const { collectStepStats, removeStaleTemps, runStepsLocal, totalErrors, WorkerPool } = await import('../../pipeline/index.js');
  const reporter = reporterFor(opts);
  const outDir = path.resolve(opts.out);
  const { recipe, steps, inputs } = await prepareBuild(opts.config);
  await openBuildManifest(outDir, recipe, inputs, Boolean(opts.force));
  const stale = await removeStaleTemps(outDir);
  if (stale) reporter.info(`removed ${stale} half-written file(s) left by an interrupted run`);
  if (opts.executor !== 'local') {
    if (opts.executor === 'slurm') {
      const { runSlurm } = await import('../build/slurm-executor.js');
      return runSlurm({ outDir, configFile: opts.config, steps, tasks: opts.tasks ?? 1, slurmOpts: opts.slurmOpt ?? [], reporter, workers: opts.workers, wait: Boolean(opts.wait) });
    }
    throw new MassivetextError('bad_executor', `unknown executor "${opts.executor}"`, 'use --executor local or --executor slurm');
  }
  const pool = new WorkerPool(opts.workers ? { size: opts.workers } : {});
  const ctx: StepContext = { outDir, reporter, pool, workers: pool.size };
  const t0 = performance.now();
  try {
    await runStepsLocal(steps, ctx, {
      tasks: opts.tasks ?? 1,
      only: opts.only ?? [],
      onStep: (name, ran, total) => reporter.info(`${name}: ${ran ? `${ran} of ${total} unit(s) run` : `all ${total} unit(s) already done`}`),
    });
  } catch (e) {
    // Nothing half-written stays behind: this process's temp files go (a killed run's go at the next start).
    await removeStaleTemps(outDir, { onlyPid: process.pid }).catch(() => 0);
    throw e;
  } finally {
    await pool.close();
    await updateManifestSteps(outDir, steps, ctx).catch(() => undefined);
  }
  reporter.clearLine();
  let errors = 0;
  for (const s of steps) {
    const { stats } = await collectStepStats(outDir, s.name);
    for (const c of Object.values(stats)) errors += totalErrors(c);
  }
  reporter.info(`build done in ${((performance.now() - t0) / 1000).toFixed(1)}s -> ${outDir} (report.json, manifest.json)${errors ? `; ${errors} bad record(s) skipped` : ''}`);
  return errors ? EXIT_SKIPPED : EXIT_OK;
}
