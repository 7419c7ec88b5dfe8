/**
 * Steps and units. A step's work is a deterministic list of units (an input file, a document part, a
 * subset); each unit writes its own outputs atomically and then a completion record
 * `steps/<step>/done/<unit>.json` holding its stats. Tasks only decide which units a process runs
 * (task i of N runs units i, i+N, ...), so the output bytes are the same for any number of tasks and
 * workers, and a re-run does only the units that have no completion record.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { Reporter } from './stage.js';
import { mergeRunStats, type RunStats } from './stats.js';
import type { WorkerPool } from './worker-pool.js';

export interface StepContext {
  /** The build's output directory. */
  outDir: string;
  reporter: Reporter;
  signal?: AbortSignal;
  /** CPU worker pool shared by the units of this process (absent when --workers 1). */
  pool?: WorkerPool;
  workers: number;
}

export interface Unit {
  /** Stable key, unique within the step: used for the completion record's file name. */
  key: string;
  /** Free JSON for the step. */
  [k: string]: unknown;
}

export interface Step<U extends Unit = Unit> {
  readonly name: string;
  /** 'array' steps split their units over tasks; 'global' steps are one unit run by one task. */
  readonly kind: 'array' | 'global';
  /** Deterministic list of units; may read the outputs of earlier steps. */
  units(ctx: StepContext): Promise<U[]>;
  /** Does one unit and returns its stats. Must write every output atomically. */
  runUnit(unit: U, ctx: StepContext): Promise<RunStats>;
}

export function stepDir(outDir: string, step: string): string {
  return path.join(outDir, 'steps', step);
}

function doneFile(outDir: string, step: string, key: string): string {
  return path.join(stepDir(outDir, step), 'done', `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export async function isUnitDone(outDir: string, step: string, key: string): Promise<boolean> {
  try {
    await fs.access(doneFile(outDir, step, key));
    return true;
  } catch {
    return false;
  }
}

export async function markUnitDone(outDir: string, step: string, key: string, stats: RunStats, timings: Record<string, number>): Promise<void> {
  await writeFileAtomic(doneFile(outDir, step, key), JSON.stringify({ unit: key, stats, timings }, null, 1) + '\n');
}

export async function readUnitRecord(outDir: string, step: string, key: string): Promise<{ stats: RunStats; timings: Record<string, number> } | null> {
  try {
    return JSON.parse(await fs.readFile(doneFile(outDir, step, key), 'utf8'));
  } catch {
    return null;
  }
}

/** Units of task `task` of `tasks`: i, i+N, i+2N ... */
export function unitsForTask<U>(units: U[], task: number, tasks: number): U[] {
  return units.filter((_, i) => i % tasks === task);
}

export interface StepProgress {
  step: string;
  units: number;
  done: number;
}

/** Runs the given units of a step that have no completion record. Returns how many ran. */
export async function runStepUnits<U extends Unit>(step: Step<U>, units: U[], ctx: StepContext): Promise<number> {
  let ran = 0;
  for (const unit of units) {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('aborted');
    if (await isUnitDone(ctx.outDir, step.name, unit.key)) continue;
    const t0 = performance.now();
    const stats = await step.runUnit(unit, ctx);
    await markUnitDone(ctx.outDir, step.name, unit.key, stats, { wall_ms: Math.round(performance.now() - t0) });
    ran++;
  }
  return ran;
}

/** Sums the stats of every completed unit of a step (in key order). */
export async function collectStepStats(outDir: string, step: string): Promise<{ stats: RunStats; done: string[]; wallMs: number }> {
  const dir = path.join(stepDir(outDir, step), 'done');
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    /* no unit done yet */
  }
  const all: RunStats[] = [];
  let wallMs = 0;
  for (const n of names) {
    const rec = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as { stats: RunStats; timings?: Record<string, number> };
    all.push(rec.stats);
    wallMs += rec.timings?.wall_ms ?? 0;
  }
  return { stats: mergeRunStats(...all), done: names.map((n) => n.slice(0, -5)), wallMs };
}
