/**
 * `massivetext worker`: runs one task of one step of a build (what each Slurm array task executes).
 * The task number comes from --task, or from the scheduler's environment through a task list file:
 * SLURM_ARRAY_TASK_ID indexes `--task-list FILE` (JSON array of task numbers), so a re-run's array covers
 * only unfinished tasks.
 */
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/errors.js';
import type { StepContext } from '../../pipeline/index.js';
import { action, EXIT_OK, positiveInt } from '../cli-io.js';
import { TerminalReporter } from '../terminal-reporter.js';
import { prepareBuild, updateManifestSteps } from './build.js';

interface WorkerOptions {
  config?: string;
  out: string;
  step: string;
  task?: string;
  taskList?: string;
  tasks: number;
  workers?: number;
}

/** The task this process runs: --task, else task-list[SLURM_ARRAY_TASK_ID], else JOB_COMPLETION_INDEX. */
export async function resolveTask(o: WorkerOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (o.task !== undefined) return Number(o.task);
  const index = env.SLURM_ARRAY_TASK_ID ?? env.JOB_COMPLETION_INDEX;
  if (index === undefined) throw new MassivetextError('no_task', 'no task number: pass --task N or run inside a Slurm array job', 'e.g. massivetext worker --step ingest --task 0 --tasks 4');
  if (!o.taskList) return Number(index);
  const list = JSON.parse(await fs.readFile(o.taskList, 'utf8')) as number[];
  const t = list[Number(index)];
  if (t === undefined) throw new MassivetextError('no_task', `array index ${index} is outside ${o.taskList}`, 'the task list and the array size disagree; re-submit the build');
  return t;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run one task of one build step (used by the Slurm executor; also handy to re-run a task by hand)')
    .requiredOption('--step <name>', 'step name (ingest, dedup-exact, ...)')
    .option('--config <file>', 'recipe JSON (default: the bundled recipe)')
    .option('--out <dir>', 'build directory', 'massivetext-out')
    .option('--task <i>', 'task number (default: from SLURM_ARRAY_TASK_ID via --task-list)')
    .option('--task-list <file>', 'JSON array mapping array indices to task numbers')
    .option('--tasks <n>', 'number of tasks the step is split into', positiveInt('--tasks'), 1)
    .option('--workers <n>', 'worker threads', positiveInt('--workers'))
    .addHelpText('after', `
Example:
  $ massivetext worker --step ingest --task 3 --tasks 8 --out /data/mt --config recipe.json`)
    .action(action(async (o: WorkerOptions) => {
      const { runStepUnits, unitsForTask, WorkerPool } = await import('../../pipeline/index.js');
      const outDir = path.resolve(o.out);
      const { steps } = await prepareBuild(o.config);
      const step = steps.find((s) => s.name === o.step);
      if (!step) throw new MassivetextError('unknown_step', `no step named "${o.step}"`, `steps: ${steps.map((s) => s.name).join(', ')}`);
      const task = await resolveTask(o);
      const reporter = new TerminalReporter({ quiet: false, progress: false });
      const pool = new WorkerPool(o.workers ? { size: o.workers } : {});
      const ctx: StepContext = { outDir, reporter, pool, workers: pool.size };
      try {
        const fail = process.env.MASSIVETEXT_FAIL_TASK;
        if (fail && fail === `${o.step}:${task}`) {
          throw new MassivetextError('injected_failure', `task ${task} of ${o.step} failed on purpose (MASSIVETEXT_FAIL_TASK)`, 'unset MASSIVETEXT_FAIL_TASK');
        }
        const units = await step.units(ctx);
        const mine = step.kind === 'global' ? (task === 0 ? units : []) : unitsForTask(units, task, o.tasks);
        const ran = await runStepUnits(step, mine, ctx);
        reporter.info(`${o.step} task ${task}/${o.tasks}: ${ran} unit(s) run, ${mine.length - ran} already done`);
        // The last step of a distributed build records every step's completion, as the local executor does.
        if (o.step === steps[steps.length - 1]!.name) await updateManifestSteps(outDir, steps, ctx);
      } finally {
        await pool.close();
      }
      return EXIT_OK;
    }));
}
