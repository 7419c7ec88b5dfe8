/**
 * `massivetext train-runner` end to end with the bundled PyTorch trainer on Debian's CPU torch
 * (/usr/bin/python3 + python3-torch): the smoke preset trains 50 steps on shards of real text and the
 * loss falls by at least 30%; a run SIGKILLed midway (runner and trainer) and resumed with --resume,
 * and a run whose trainer alone is SIGKILLed (the runner restarts it), see the same samples at every
 * step as an uninterrupted run, and the same losses.
 * The three runs go concurrently (one torch thread each) to keep the file near a minute on 2 cores.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { writeFixtureSample } from './fixture.js';

const PYTHON = process.env.MASSIVETEXT_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
const STEPS = 50;

interface Event { event: string; step?: number; loss?: number; sample_hash?: string; samples?: [number, number]; attempt?: number; pid?: number; step_time?: number; reason?: string; from_step?: number }

function events(runDir: string): Event[] {
  let text = '';
  try {
    text = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Event];
    } catch {
      return [];
    }
  });
}

/** The last record of each step (a resumed run repeats the steps after its last checkpoint). */
function byStep(ev: Event[]): Map<number, Event> {
  const m = new Map<number, Event>();
  for (const e of ev) if (e.event === 'step') m.set(e.step!, e);
  return m;
}

function start(args: string[], detached = false) {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}

async function waitFor(pred: () => boolean, what: string, timeoutMs = 500_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let root: string;
const run = { clean: '', resumed: '', restarted: '' };
const outcome: Record<string, { status: number | null; stdout: string; stderr: string }> = {};

describe.skipIf(!hasTorch && !process.env.CI)('massivetext train-runner (bundled trainer, CPU)', () => {
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'train-runner-'));
    const data = (await writeFixtureSample(path.join(root, 'sample'))).dir;
    for (const k of Object.keys(run) as (keyof typeof run)[]) run[k] = path.join(root, k);
    const args = (runDir: string) => ['train-runner', '--data', data, '--run-dir', runDir, '--model', 'smoke', '--steps', String(STEPS),
      '--device', 'cpu', '--threads', '1', '--checkpoint-every', '10', '--python', PYTHON];

    const clean = start(args(run.clean));
    // Killed: SIGKILL the runner's whole process group (runner + trainer, as a crash would) mid-run.
    const killed = start(args(run.resumed), true);
    const killedAt = waitFor(() => (byStep(events(run.resumed)).size >= 25), 'step 25 of the run to kill')
      .then(() => process.kill(-killed.child.pid!, 'SIGKILL'));
    // Restarted: SIGKILL only the trainer; the runner restarts it from its last checkpoint.
    const restarted = start(args(run.restarted));
    const trainerKilled = waitFor(() => byStep(events(run.restarted)).size >= 15, 'step 15 of the run whose trainer dies').then(() => {
      const pid = events(run.restarted).find((e) => e.event === 'start')!.pid!;
      process.kill(pid, 'SIGKILL');
    });

    await killedAt;
    const k = await killed.done;
    expect(k.signal).toBe('SIGKILL');
    const resumed = start([...args(run.resumed), '--resume']);
    await trainerKilled;
    const [c, r, rs] = await Promise.all([clean.done, resumed.done, restarted.done]);
    outcome.clean = c;
    outcome.resumed = r;
    outcome.restarted = rs;
  }, 900_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('trains the smoke preset 50 steps on CPU and the loss falls by at least 30%', () => {
    expect(outcome.clean!.status, outcome.clean!.stderr).toBe(0);
    const summary = JSON.parse(outcome.clean!.stdout);
    expect(summary).toMatchObject({ status: 'done', steps: STEPS, restarts: 0 });
    const steps = byStep(events(run.clean));
    expect([...steps.keys()]).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    const loss = (a: number, b: number) => { let s = 0; for (let t = a; t <= b; t++) s += steps.get(t)!.loss!; return s / (b - a + 1); };
    const first = loss(1, 3);
    const last = loss(STEPS - 4, STEPS);
    expect(first).toBeGreaterThan(8); // ln(8192) = 9.0 at initialisation
    expect(last).toBeLessThanOrEqual(0.7 * first);
    const times = [...steps.values()].map((e) => e.step_time!).sort((a, b) => a - b);
    console.log(`smoke: loss ${first.toFixed(3)} (steps 1-3) -> ${last.toFixed(3)} (steps ${STEPS - 4}-${STEPS}), ${((1 - last / first) * 100).toFixed(1)}% lower; median step ${times[times.length >> 1]} s`);
    expect(fs.existsSync(path.join(run.clean, 'checkpoints', `step-${String(STEPS).padStart(8, '0')}.pt`))).toBe(true);
  });

  it('a run killed midway and resumed with --resume sees the same samples and losses as an uninterrupted one', () => {
    expect(outcome.resumed!.status, outcome.resumed!.stderr).toBe(0);
    const clean = byStep(events(run.clean));
    const ev = events(run.resumed);
    const steps = byStep(ev);
    expect([...steps.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    // The resumed process starts right after the last checkpoint, at exactly the next sample.
    const starts = ev.filter((e) => e.event === 'start') as (Event & { start_step: number })[];
    expect(starts.length).toBe(2);
    const resumedAt = starts[1]!.start_step;
    expect(resumedAt % 10).toBe(0);
    expect(resumedAt).toBeGreaterThanOrEqual(20);
    const firstAfter = ev.slice(ev.indexOf(starts[1]!)).find((e) => e.event === 'step')!;
    expect(firstAfter.step).toBe(resumedAt + 1);
    expect(firstAfter.samples).toEqual([resumedAt * 2, resumedAt * 2 + 2]);
    for (let t = 1; t <= STEPS; t++) {
      expect(steps.get(t)!.sample_hash, `step ${t}`).toBe(clean.get(t)!.sample_hash);
      expect(steps.get(t)!.samples).toEqual(clean.get(t)!.samples);
      expect(Math.abs(steps.get(t)!.loss! - clean.get(t)!.loss!), `loss at step ${t}`).toBeLessThan(1e-4);
    }
  });

  it('restarts a trainer that dies from its last checkpoint, with the same samples', () => {
    expect(outcome.restarted!.status, outcome.restarted!.stderr).toBe(0);
    expect(JSON.parse(outcome.restarted!.stdout)).toMatchObject({ status: 'done', restarts: 1 });
    const ev = events(run.restarted);
    const restart = ev.find((e) => e.event === 'restart')!;
    expect(restart.reason).toBe('killed by SIGKILL');
    expect(restart.from_step).toBeGreaterThanOrEqual(10);
    const clean = byStep(events(run.clean));
    const steps = byStep(ev);
    for (let t = 1; t <= STEPS; t++) expect(steps.get(t)!.sample_hash, `step ${t}`).toBe(clean.get(t)!.sample_hash);
    expect(outcome.restarted!.stderr).toMatch(/restarting from checkpoint step \d+/);
  });

  it('refuses to start over a run directory with checkpoints unless --resume, and a resume with another batch size', () => {
    const data = path.join(root, 'sample');
    const base = ['train-runner', '--data', data, '--run-dir', run.clean, '--model', 'smoke', '--steps', String(STEPS), '--device', 'cpu', '--python', PYTHON];
    const again = spawnSync(process.execPath, [cliPath, ...base], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds checkpoints.*\[run_exists\][\s\S]*--resume/);
    const other = spawnSync(process.execPath, [cliPath, ...base, '--resume', '--batch-size', '4'], { encoding: 'utf8' });
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/batch_changed|plan/);
  });
});
