/**
 * The local executor: runs steps in order in this process; within a step, units that are not done run
 * `concurrency` at a time (each may use the shared worker pool). Resume is free: done units are skipped.
 */
import { MassivetextError } from './errors.js';
import { runStepUnits, type Step, type StepContext, type Unit, unitsForTask } from './step.js';

export interface LocalExecutorOptions {
  /** How many tasks (unit streams) run at once in this process. */
  tasks: number;
  /** Only run steps with these names (all when empty). */
  only: string[];
  /** Called after each step with the number of units run and skipped. */
  onStep?: (step: string, ran: number, total: number) => void;
}

export const defaultLocalExecutorOptions: LocalExecutorOptions = { tasks: 1, only: [] };

export async function runStepsLocal(steps: Step<Unit>[], ctx: StepContext, options: Partial<LocalExecutorOptions> = {}): Promise<void> {
  const o = { ...defaultLocalExecutorOptions, ...options };
  if (!Number.isInteger(o.tasks) || o.tasks < 1) {
    throw new MassivetextError('bad_tasks', `--tasks must be a positive integer, got ${o.tasks}`, 'pass --tasks N with N >= 1');
  }
  for (const step of steps) {
    if (o.only.length && !o.only.includes(step.name)) continue;
    const units = await step.units(ctx);
    const tasks = step.kind === 'global' ? 1 : Math.min(o.tasks, Math.max(1, units.length));
    const ran = await Promise.all(Array.from({ length: tasks }, (_, t) => runStepUnits(step, unitsForTask(units, t, tasks), ctx)));
    o.onStep?.(step.name, ran.reduce((a, b) => a + b, 0), units.length);
  }
}
