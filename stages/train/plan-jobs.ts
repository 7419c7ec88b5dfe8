/**
 * The plan's work split across threads. Two kinds of job: the first-block sample permutation of a
 * subset (the blend on the main thread reads them) and a subset's walk (walk-subset.ts). Every thread
 * claims the next job from one shared queue (an atomic counter in a SharedArrayBuffer), largest first,
 * so two cores finish together; each job's output is a pure function of its inputs, so the plan's
 * bytes never depend on the thread count. The main thread claims permutations only while it has
 * nothing else to do, then runs the blend, then joins the walks.
 */
import { randomPermutation, Scratch } from './shuffle.js';
import { PlanRandom } from './random.js';
import { walkSubset, type WalkJob, type WalkResult } from './walk-subset.js';

export interface PermJob {
  kind: 'perm';
  /** Seed words of the permutation's generator. */
  seed: number[];
  /** Filled with the permutation (SharedArrayBuffer-backed). */
  out: Uint32Array;
}

export interface WalkPlanJob {
  kind: 'walk';
  /** `rows` is read from `PlanQueue.rows[subsetIndex]` once the main thread has published the counts. */
  walk: WalkJob;
}

export type PlanJob = PermJob | WalkPlanJob;

/** Slots of `PlanQueue.state`. */
export const Q_NEXT = 0;
export const Q_PERMS_DONE = 1;
export const Q_ROWS_READY = 2;
export const Q_FAILED = 3;

export interface PlanQueue {
  /** Permutation jobs first, then walk jobs. */
  jobs: PlanJob[];
  /** Int32 slots on a SharedArrayBuffer: next job, permutations done, rows published, failed. */
  state: Int32Array;
  /** Rows per subset (SharedArrayBuffer), valid once state[Q_ROWS_READY] is 1. */
  rows: Float64Array;
}

export function newPlanQueue(jobs: PlanJob[], subsets: number): PlanQueue {
  return { jobs, state: new Int32Array(new SharedArrayBuffer(16)), rows: new Float64Array(new SharedArrayBuffer(8 * Math.max(1, subsets))) };
}

/** Claims the next job index, or -1; `limit` stops claiming at that index (the main thread's permutation phase). */
function claim(q: PlanQueue, limit = q.jobs.length): number {
  for (;;) {
    const next = Atomics.load(q.state, Q_NEXT);
    if (next >= limit || Atomics.load(q.state, Q_FAILED) !== 0) return -1;
    if (Atomics.compareExchange(q.state, Q_NEXT, next, next + 1) === next) return next;
  }
}

/** Waits (blocking; allowed on worker threads and Node's main thread) until state[slot] >= value or a thread failed. */
export function waitFor(q: PlanQueue, slot: number, value: number): boolean {
  for (;;) {
    if (Atomics.load(q.state, Q_FAILED) !== 0) return false;
    const v = Atomics.load(q.state, slot);
    if (v >= value) return true;
    Atomics.wait(q.state, slot, v, 50);
  }
}

function runJob(q: PlanQueue, job: PlanJob, scratch: Scratch): WalkResult | null {
  if (job.kind === 'perm') {
    randomPermutation(job.out.length, new PlanRandom(job.seed), undefined, undefined, job.out);
    Atomics.add(q.state, Q_PERMS_DONE, 1);
    Atomics.notify(q.state, Q_PERMS_DONE);
    return null;
  }
  if (!waitFor(q, Q_ROWS_READY, 1)) return null;
  return walkSubset({ ...job.walk, rows: q.rows[job.walk.subsetIndex]! }, scratch);
}

/**
 * Runs jobs from the queue until it is empty (or `limit` is reached); returns the walks done, by
 * subset index. A failure marks the queue failed (the other threads stop claiming) and is rethrown.
 */
export function runPlanJobs(q: PlanQueue, scratch: Scratch = new Scratch(), limit = q.jobs.length): Record<number, WalkResult> {
  const done: Record<number, WalkResult> = {};
  try {
    for (let i = claim(q, limit); i >= 0; i = claim(q, limit)) {
      const job = q.jobs[i]!;
      const r = runJob(q, job, scratch);
      if (r && job.kind === 'walk') done[job.walk.subsetIndex] = r;
    }
  } catch (e) {
    Atomics.store(q.state, Q_FAILED, 1);
    Atomics.notify(q.state, Q_PERMS_DONE);
    Atomics.notify(q.state, Q_ROWS_READY);
    throw e;
  }
  return done;
}

/** Worker-thread entry (pipeline WorkerPool): runs jobs until the queue is empty. */
export function planWorker(q: PlanQueue): Record<number, WalkResult> {
  return runPlanJobs(q);
}
