/**
 * Supervises an attached trainer process: starts it with the plan and the run's configuration
 * (environment variables + a JSON file, trainer/CONTRACT.md), reads its JSON-lines events, appends them
 * to `RUN/metrics.jsonl`, tracks the checkpointed cursor, and restarts the trainer from its last
 * checkpoint when it dies. No shell: the trainer is argv, never a command string.
 *
 * Resume is O(1): the cursor is `{plan_id, step, consumed_samples}` from the newest complete checkpoint
 * (`RUN/checkpoints/step-NNNNNNNN.json`, written after its `.pt`), and the plan is a fixed sequence, so
 * step t always reads global samples [t*G, (t+1)*G).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { MassivetextError, writeFileAtomic } from '../../pipeline/index.js';
import type { RankInfo } from './rank.js';

export interface TrainerCommand {
  command: string;
  args: string[];
}

/** What the trainer is told (written to RUN/trainer-config.json; see trainer/CONTRACT.md). */
export interface TrainerConfig {
  plan: string;
  run_dir: string;
  model: string;
  steps: number;
  batch_size: number;
  seq_len: number;
  device: string;
  checkpoint_every: number;
  seed: number;
  micro_batch?: number;
  lr?: number;
  warmup?: number;
  threads?: number;
  vocab_size?: number;
  tie_embeddings?: boolean;
  [key: string]: unknown;
}

export interface TrainerEvent {
  event: string;
  step?: number;
  loss?: number;
  consumed_samples?: number;
  path?: string;
  [key: string]: unknown;
}

export interface Checkpoint {
  step: number;
  consumedSamples: number;
  planId: string;
  /** The .pt file (or whatever the trainer saved; passed back verbatim as MASSIVETEXT_RESUME_FROM). */
  path: string;
}

export interface SuperviseOptions {
  runDir: string;
  planId: string;
  trainer: TrainerCommand;
  config: TrainerConfig;
  rank: RankInfo;
  /** Continue from the newest checkpoint; without it a run directory holding checkpoints is refused. */
  resume: boolean;
  /** Restarts after crashes before giving up. */
  maxRestarts: number;
  restartDelayMs: number;
  /** Extra environment for the trainer. */
  env?: Record<string, string>;
  onEvent?: (e: TrainerEvent & { attempt: number; eta_s?: number }) => void;
  /** Trainer output that is not an event (its stderr and stray stdout lines). */
  onOutput?: (line: string) => void;
  onRestart?: (info: { attempt: number; reason: string; from: Checkpoint | null }) => void;
  signal?: AbortSignal;
}

export const defaultSuperviseOptions = { maxRestarts: 3, restartDelayMs: 1000 };

export interface SuperviseResult {
  status: 'done' | 'interrupted';
  steps: number;
  restarts: number;
  firstLoss: number | null;
  lastLoss: number | null;
  checkpoint: Checkpoint | null;
  wallSeconds: number;
}

/** The newest complete checkpoint in RUN/checkpoints (its .json and the file it names both exist). */
export function latestCheckpoint(runDir: string): Checkpoint | null {
  const dir = path.join(runDir, 'checkpoints');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /^step-\d+\.json$/.test(n)).sort().reverse();
  } catch {
    return null;
  }
  for (const n of names) {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { step: number; consumed_samples: number; plan_id: string; path?: string };
      const file = m.path ? path.resolve(dir, m.path) : path.join(dir, n.replace(/\.json$/, '.pt'));
      if (fs.existsSync(file)) return { step: m.step, consumedSamples: m.consumed_samples, planId: m.plan_id, path: file };
    } catch {
      // a torn or foreign file: try the next older one
    }
  }
  return null;
}

/** Removes checkpoint temp files (`*.tmp-*`) a killed trainer left behind. */
function removeStaleCheckpointTemps(runDir: string): void {
  const dir = path.join(runDir, 'checkpoints');
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.includes('.tmp-')) fs.rmSync(path.join(dir, n), { force: true });
}

/** Splits a command line into argv the way a shell would split words, but with no expansion at all. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\'.includes(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (quote) throw new MassivetextError('bad_trainer_command', `unterminated ${quote} in trainer command: ${line}`);
  if (has || cur) out.push(cur);
  if (out.length === 0) throw new MassivetextError('bad_trainer_command', 'empty trainer command');
  return out;
}

function trainerEnv(o: SuperviseOptions, configFile: string, from: Checkpoint | null): NodeJS.ProcessEnv {
  const c = o.config;
  return {
    ...process.env,
    // One BLAS thread per process: torch's own threads do the work (train-runner.md §3.1: two levels of
    // threads oversubscribe the cores).
    OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1',
    PYTHONUNBUFFERED: '1',
    ...o.env,
    MASSIVETEXT_TRAIN_CONFIG: configFile,
    MASSIVETEXT_PLAN: c.plan,
    MASSIVETEXT_RUN_DIR: c.run_dir,
    MASSIVETEXT_MODEL: c.model,
    MASSIVETEXT_STEPS: String(c.steps),
    MASSIVETEXT_BATCH_SIZE: String(c.batch_size),
    MASSIVETEXT_SEQ_LEN: String(c.seq_len),
    MASSIVETEXT_DEVICE: c.device,
    MASSIVETEXT_PLAN_ID: o.planId,
    MASSIVETEXT_START_STEP: String(from?.step ?? 0),
    MASSIVETEXT_CONSUMED_SAMPLES: String(from?.consumedSamples ?? 0),
    MASSIVETEXT_RESUME_FROM: from?.path ?? '',
    RANK: String(o.rank.rank),
    WORLD_SIZE: String(o.rank.worldSize),
    LOCAL_RANK: String(o.rank.localRank),
  };
}

interface Attempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  done: boolean;
  error: TrainerEvent | null;
  tail: string[];
}

/** Runs the trainer to the last step, restarting it from checkpoints; resolves when done or interrupted. */
export async function superviseTraining(o: SuperviseOptions): Promise<SuperviseResult> {
  const started = performance.now();
  fs.mkdirSync(o.runDir, { recursive: true });
  let from = latestCheckpoint(o.runDir);
  if (from && !o.resume) {
    throw new MassivetextError('run_exists', `${o.runDir} already holds checkpoints (step ${from.step})`,
      'pass --resume to continue that run, or choose another --run-dir');
  }
  if (from && from.planId !== o.planId) {
    throw new MassivetextError('plan_mismatch', `the checkpoint at step ${from.step} in ${o.runDir} was trained on plan ${from.planId}, but the data and options now give plan ${o.planId}`,
      'resume with the same --data, --seq-len, --seed and weights, or start a new --run-dir');
  }
  if (from && from.consumedSamples !== from.step * o.config.batch_size) {
    throw new MassivetextError('batch_changed', `the checkpoint at step ${from.step} consumed ${from.consumedSamples} samples; --batch-size ${o.config.batch_size} would not continue at the next sample`,
      `resume with --batch-size ${from.step ? from.consumedSamples / from.step : o.config.batch_size}`);
  }
  const configFile = path.join(o.runDir, `trainer-config${o.rank.worldSize > 1 ? `.rank${o.rank.rank}` : ''}.json`);
  await writeFileAtomic(configFile, JSON.stringify(o.config, null, 2) + '\n');
  const metricsFile = path.join(o.runDir, o.rank.worldSize > 1 ? `metrics.rank${o.rank.rank}.jsonl` : 'metrics.jsonl');
  const metrics = fs.openSync(metricsFile, 'a+');
  // A run killed mid-write leaves a torn last line: end it so the next event starts on its own line.
  const size = fs.fstatSync(metrics).size;
  if (size > 0) {
    const last = Buffer.alloc(1);
    fs.readSync(metrics, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) fs.writeSync(metrics, '\n');
  }
  if (o.rank.rank === 0) removeStaleCheckpointTemps(o.runDir);
  let restarts = 0;
  let firstLoss: number | null = null;
  let lastLoss: number | null = null;
  let stepEma: number | null = null;
  let lastStep = from?.step ?? 0;
  try {
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted) return result('interrupted');
      const a = await runOnce(attempt);
      if (a.done) return result('done');
      if (o.signal?.aborted) return result('interrupted');
      if (a.code === 2 || a.error?.code === 'no_torch') {
        throw new MassivetextError(`trainer_${String(a.error?.code ?? 'config_error')}`, `the trainer refused to run: ${String(a.error?.message ?? a.tail.join('\n'))}`,
          'fix the configuration; the trainer exits 2 for errors that a restart cannot cure');
      }
      const reason = a.signal ? `killed by ${a.signal}` : `exited with code ${a.code}`;
      if (a.code === 0) {
        throw new MassivetextError('trainer_incomplete', `the trainer exited 0 at step ${lastStep} without a "done" event`, 'a trainer must emit {"event":"done"} after its last step (trainer/CONTRACT.md)');
      }
      if (restarts >= o.maxRestarts) {
        throw new MassivetextError('trainer_failed', `the trainer ${reason} (${restarts} restarts already)\n${a.tail.slice(-15).join('\n')}`,
          'see RUN/metrics.jsonl and the output above; --resume continues from the last checkpoint');
      }
      restarts++;
      from = latestCheckpoint(o.runDir);
      if (from && from.planId !== o.planId) from = null;
      o.onRestart?.({ attempt: attempt + 1, reason, from });
      log({ event: 'restart', attempt: attempt + 1, reason, from_step: from?.step ?? 0 });
      await new Promise((r) => setTimeout(r, o.restartDelayMs));
    }
  } finally {
    fs.closeSync(metrics);
  }

  function result(status: SuperviseResult['status']): SuperviseResult {
    return { status, steps: lastStep, restarts, firstLoss, lastLoss, checkpoint: latestCheckpoint(o.runDir), wallSeconds: (performance.now() - started) / 1000 };
  }

  function log(e: Record<string, unknown>): void {
    fs.writeSync(metrics, JSON.stringify({ time: new Date().toISOString(), rank: o.rank.rank, ...e }) + '\n');
  }

  function runOnce(attempt: number): Promise<Attempt> {
    return new Promise((resolve, reject) => {
      const st: Attempt = { code: null, signal: null, done: false, error: null, tail: [] };
      const child = spawn(o.trainer.command, o.trainer.args, {
        env: trainerEnv(o, configFile, from), stdio: ['ignore', 'pipe', 'pipe'], cwd: o.runDir,
      });
      const keep = (line: string) => {
        st.tail.push(line);
        if (st.tail.length > 50) st.tail.shift();
        o.onOutput?.(line);
      };
      const onAbort = () => child.kill('SIGTERM');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      createInterface({ input: child.stderr! }).on('line', keep);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let e: TrainerEvent | null = null;
        if (line.startsWith('{')) {
          try {
            const v = JSON.parse(line) as TrainerEvent;
            if (v && typeof v.event === 'string') e = v;
          } catch { /* not an event */ }
        }
        if (!e) return keep(line);
        const out: TrainerEvent & { attempt: number; eta_s?: number } = { ...e, attempt };
        if (e.event === 'step' && typeof e.step === 'number') {
          lastStep = e.step;
          if (typeof e.loss === 'number') {
            if (firstLoss === null && e.step === 1) firstLoss = e.loss;
            lastLoss = e.loss;
          }
          if (typeof e.step_time === 'number') {
            stepEma = stepEma === null ? e.step_time : 0.9 * stepEma + 0.1 * e.step_time;
            out.eta_s = Math.round(stepEma * (o.config.steps - e.step));
          }
        } else if (e.event === 'done') st.done = true;
        else if (e.event === 'error') st.error = e;
        log(out);
        o.onEvent?.(out);
      });
      child.on('error', (err) => {
        o.signal?.removeEventListener('abort', onAbort);
        reject(new MassivetextError('trainer_not_started', `cannot start the trainer ${o.trainer.command}: ${err.message}`,
          'check --trainer (and --python for the bundled trainer)', {}, { cause: err }));
      });
      // 'close' fires after stdout/stderr end, so every event has been read.
      child.on('close', (code, signal) => {
        o.signal?.removeEventListener('abort', onAbort);
        st.code = code;
        st.signal = signal;
        resolve(st);
      });
    });
  }
}
