/**
 * The Slurm executor: every array step becomes `sbatch --array` over its unfinished tasks (a task list
 * file maps array index -> task), global steps are single jobs, steps are chained with
 * `--dependency=afterok:<all job ids of the previous step>` and `--kill-on-invalid-dep=yes`. Arrays larger
 * than the cluster's MaxArraySize are split, and the next step depends on every chunk. Re-running the same
 * command submits only tasks with unfinished units; a step with nothing left is not submitted.
 * No shell string is built from input: sbatch gets argv, and the batch script quotes every argument.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  isUnitDone, MassivetextError, type Reporter, type Step, type StepContext, stepDir, type Unit, unitsForTask, writeFileAtomic,
} from '../../pipeline/index.js';

const run = promisify(execFile);

export interface SlurmRunOptions {
  outDir: string;
  configFile?: string;
  steps: Step<Unit>[];
  tasks: number;
  slurmOpts: string[];
  reporter: Reporter;
  workers?: number;
  /** Wait for the jobs and report failed tasks with their log paths. */
  wait?: boolean;
  /** Poll interval while waiting. */
  pollMs?: number;
}

export interface SubmittedStep {
  step: string;
  jobIds: string[];
  tasks: number[];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function sbatchBin(name: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin'])) {
    const p = path.join(dir, name);
    try {
      await fs.access(p);
      return p;
    } catch {
      /* next */
    }
  }
  throw new MassivetextError('no_slurm', `${name} not found on PATH`, 'run on a Slurm login node, or start a local cluster (shared/slurm-local.sh start)');
}

/** MaxArraySize from `scontrol show config` (the largest array index is MaxArraySize - 1). */
export async function maxArraySize(): Promise<number> {
  try {
    const { stdout } = await run(await sbatchBin('scontrol'), ['show', 'config']);
    const m = /MaxArraySize\s*=\s*(\d+)/.exec(stdout);
    return m ? Number(m[1]) : 1001;
  } catch {
    return 1001;
  }
}

/** Splits task numbers into chunks an array job can hold. */
export function chunkTasks(tasks: number[], maxArray: number): number[][] {
  const chunks: number[][] = [];
  for (let i = 0; i < tasks.length; i += maxArray) chunks.push(tasks.slice(i, i + maxArray));
  return chunks;
}

/** Task numbers of a step that still have at least one unit without a completion record. */
export async function unfinishedTasks(step: Step<Unit>, ctx: StepContext, tasks: number): Promise<{ tasks: number[]; total: number }> {
  const units = await step.units(ctx);
  const n = step.kind === 'global' ? 1 : Math.max(1, Math.min(tasks, units.length));
  const out: number[] = [];
  for (let t = 0; t < n; t++) {
    const mine = step.kind === 'global' ? units : unitsForTask(units, t, n);
    let open = false;
    for (const u of mine) if (!(await isUnitDone(ctx.outDir, step.name, u.key))) { open = true; break; }
    if (open) out.push(t);
  }
  return { tasks: out, total: n };
}

export async function submitBuild(o: SlurmRunOptions): Promise<SubmittedStep[]> {
  const sbatch = await sbatchBin('sbatch');
  const maxArray = await maxArraySize();
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../massivetext.js');
  const ctx: StepContext = { outDir: o.outDir, reporter: o.reporter, workers: o.workers ?? 1 };
  const submitted: SubmittedStep[] = [];
  let previous: string[] = [];
  const stamp = Date.now().toString(36);
  for (const step of o.steps) {
    const { tasks, total } = await unfinishedTasks(step, ctx, o.tasks);
    if (!tasks.length) {
      o.reporter.info(`slurm: ${step.name}: all ${total} task(s) done, not submitted`);
      continue;
    }
    const dir = path.join(stepDir(o.outDir, step.name), 'slurm');
    const logs = path.join(stepDir(o.outDir, step.name), 'logs');
    await fs.mkdir(logs, { recursive: true });
    const jobIds: string[] = [];
    for (const [ci, chunk] of chunkTasks(tasks, maxArray).entries()) {
      const taskList = path.join(dir, `tasks-${stamp}-${ci}.json`);
      await writeFileAtomic(taskList, JSON.stringify(chunk) + '\n');
      const argv = [process.execPath, cli, 'worker', '--step', step.name, '--out', o.outDir, '--tasks', String(total), '--task-list', taskList];
      if (o.configFile) argv.push('--config', path.resolve(o.configFile));
      if (o.workers) argv.push('--workers', String(o.workers));
      const script = path.join(dir, `submit-${stamp}-${ci}.sh`);
      await writeFileAtomic(script, `#!/bin/sh\n# massivetext ${step.name}: tasks ${chunk.join(',')} of ${total}\nexec ${argv.map(shellQuote).join(' ')}\n`);
      const args = [
        '--parsable', `--job-name=mt-${step.name}`, `--array=0-${chunk.length - 1}`,
        `--output=${path.join(logs, '%A_%a.out')}`, `--chdir=${process.cwd()}`, '--kill-on-invalid-dep=yes',
        ...(previous.length ? [`--dependency=afterok:${previous.join(':')}`] : []),
        ...o.slurmOpts, script,
      ];
      const { stdout } = await run(sbatch, args).catch((e: { stderr?: string; message: string }) => {
        throw new MassivetextError('sbatch_failed', `sbatch for step ${step.name} failed: ${e.stderr?.trim() || e.message}`, 'check --slurm-opt values and that the cluster accepts jobs (sinfo)');
      });
      const id = stdout.trim().split(';')[0]!;
      jobIds.push(id);
      o.reporter.info(`slurm: ${step.name}: job ${id}, array of ${chunk.length} (tasks ${chunk.length > 6 ? `${chunk.slice(0, 6).join(',')},...` : chunk.join(',')} of ${total}); logs in ${logs}`);
    }
    submitted.push({ step: step.name, jobIds, tasks });
    previous = jobIds;
  }
  await writeFileAtomic(path.join(o.outDir, 'steps', `slurm-jobs-${stamp}.json`), JSON.stringify(submitted, null, 1) + '\n');
  return submitted;
}

interface JobTaskState {
  jobId: string;
  arrayTask: string;
  state: string;
  exitCode: string;
  stdout: string;
}

/** `scontrol show job -o <id>`: one line per array task. */
export async function jobStates(jobId: string): Promise<JobTaskState[]> {
  try {
    const { stdout } = await run(await sbatchBin('scontrol'), ['show', 'job', '-o', jobId]);
    return stdout.trim().split('\n').filter(Boolean).map((line) => {
      const f = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1] ?? '';
      return { jobId: f('ArrayJobId') || f('JobId'), arrayTask: f('ArrayTaskId'), state: f('JobState'), exitCode: f('ExitCode'), stdout: f('StdOut') };
    });
  } catch {
    return [];
  }
}

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

/** Waits for all submitted jobs; returns the failed tasks with their log paths. */
export async function waitForJobs(submitted: SubmittedStep[], reporter: Reporter, pollMs = 1000): Promise<{ step: string; state: string; log: string }[]> {
  const failed: { step: string; state: string; log: string }[] = [];
  for (const s of submitted) {
    for (const id of s.jobIds) {
      for (;;) {
        const states = await jobStates(id);
        const pending = states.filter((t) => !FINAL.has(t.state));
        if (states.length && !pending.length) {
          for (const t of states) if (t.state !== 'COMPLETED') failed.push({ step: s.step, state: `${t.state} (exit ${t.exitCode})`, log: t.stdout });
          break;
        }
        if (!states.length) break; // purged: treat as finished; completion records tell the truth
        reporter.progress({ step: `slurm ${s.step}`, done: states.length - pending.length, total: states.length, unit: 'tasks' });
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }
  return failed;
}

export async function runSlurm(o: SlurmRunOptions): Promise<number> {
  const submitted = await submitBuild(o);
  if (!submitted.length) {
    o.reporter.info('slurm: every step is complete; nothing submitted');
    return 0;
  }
  if (!o.wait) {
    o.reporter.info(`slurm: submitted ${submitted.length} step(s); re-run the same command to resume, or add --wait`);
    return 0;
  }
  const failed = await waitForJobs(submitted, o.reporter, o.pollMs);
  for (const f of failed) o.reporter.warn('task_failed', `step ${f.step}: task ${f.state}; log: ${f.log}`, { file: f.log });
  if (failed.length) {
    throw new MassivetextError('tasks_failed', `${failed.length} Slurm task(s) failed (first: step ${failed[0]!.step}, log ${failed[0]!.log})`,
      're-run the same command: only unfinished tasks are submitted');
  }
  return 0;
}
