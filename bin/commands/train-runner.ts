/**
 * `massivetext train-runner`: plans the sample order (stages/train: blend, shuffles, packing, ranks),
 * starts the attached trainer as a child process (the bundled PyTorch Gopher trainer, or any command
 * that follows trainer/CONTRACT.md), shows loss, tokens/s and ETA, logs metrics, checkpoints through
 * the trainer, restarts it from its last checkpoint when it dies, and `--resume`s at the next sample.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MassivetextError } from '../../pipeline/errors.js';
import type { PlanSummary, RankInfo, TrainerCommand, TrainerConfig, TrainerEvent } from '../../stages/train/index.js';
import { action, EXIT_ERROR, EXIT_OK, positiveInt, writeOut } from '../cli-io.js';
import { formatDuration } from '../terminal-reporter.js';
import { addReporterOptions } from '../reporter-options.js';

interface TrainCliOptions {
  data: string;
  runDir?: string;
  model: string;
  steps?: number;
  seqLen?: number;
  batchSize?: number;
  microBatch?: number;
  lr?: string;
  warmup?: number;
  device: string;
  resume?: boolean;
  trainer: string;
  python?: string;
  weights?: string;
  seed: string;
  checkpointEvery?: number;
  maxRestarts: string;
  threads?: number;
  worldSize?: string;
  docChunk?: number;
  rank?: string;
  localRank?: string;
  untiedEmbeddings?: boolean;
  planOnly?: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface Preset { layers: number; heads: number; head_dim: number; d_model: number; seq_len: number; batch: number; micro_batch: number; lr: number; warmup: number; clip: number; steps: number }

/** The bundled trainer folder (trainer/ at the package root), from the source tree or from dist/. */
export function trainerDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'trainer', 'train.py'))) return path.join(dir, 'trainer');
    dir = path.dirname(dir);
  }
  throw new MassivetextError('missing_trainer', 'the bundled trainer (trainer/train.py) is not installed beside massivetext', 'reinstall the package, or pass --trainer CMD');
}

function presets(): Record<string, Preset> {
  const raw = JSON.parse(fs.readFileSync(path.join(trainerDir(), 'presets.json'), 'utf8')) as Record<string, Preset>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_')));
}

/** Debian's interpreter first (python3-torch installs there; pyenv's python3 does not see it). */
function defaultPython(): string {
  if (process.env.MASSIVETEXT_PYTHON) return process.env.MASSIVETEXT_PYTHON;
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new MassivetextError('bad_option', `${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

/** Builds the plan into RUN/plan unless a complete plan with the same id and enough samples is there. */
async function ensurePlan(o: { data: string; planDir: string; seqLen: number; samples: number; seed: number; docChunk: number; weights?: Record<string, number>; rank: RankInfo },
  info: (m: string) => void): Promise<PlanSummary> {
  const { buildPlan, loadPlanInput, planId, readPlanSummary } = await import('../../stages/train/index.js');
  const input = loadPlanInput(o.data, { weights: o.weights });
  const id = planId(input, o.seqLen, o.seed, o.docChunk);
  const have = readPlanSummary(o.planDir);
  if (have && have.planId === id && have.samples >= o.samples) return have;
  if (o.rank.rank !== 0) {
    // Rank 0 writes the plan; the other ranks wait for it (same files, shared filesystem).
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const p = readPlanSummary(o.planDir);
      if (p && p.planId === id && p.samples >= o.samples) return p;
      if (Date.now() > deadline) throw new MassivetextError('plan_timeout', `rank ${o.rank.rank} waited 30 minutes for rank 0's plan in ${o.planDir}`, 'start rank 0 too, on a filesystem all ranks share');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const t0 = performance.now();
  const plan = await buildPlan(input, o.planDir, { seqLen: o.seqLen, samples: o.samples, seed: o.seed, docChunk: o.docChunk });
  const secs = (performance.now() - t0) / 1000;
  info(`plan ${plan.planId}: ${plan.samples} samples of ${plan.seqLen + 1} tokens over ${plan.subsets.map((s) => `${s.name} ${(s.weight * 100).toFixed(1)}% (${s.epochs.toFixed(2)} epochs)`).join(', ')} in ${secs.toFixed(2)} s`);
  return plan;
}

function describeStep(e: TrainerEvent & { eta_s?: number }, steps: number): string {
  const parts = [`step ${e.step}/${steps}`, `loss ${Number(e.loss).toFixed(4)}`];
  if (typeof e.lr === 'number') parts.push(`lr ${e.lr.toExponential(2)}`);
  if (typeof e.tokens_per_s === 'number') parts.push(`${e.tokens_per_s >= 1e4 ? `${(e.tokens_per_s / 1e3).toFixed(1)}k` : e.tokens_per_s.toFixed(0)} tok/s`);
  if (typeof e.eta_s === 'number') parts.push(`ETA ${formatDuration(e.eta_s)}`);
  return parts.join('  ');
}

export function register(program: Command): void {
  const cmd = program
    .command('train-runner')
    .description('plan the sample order and drive an attached trainer (bundled PyTorch Gopher trainer or --trainer CMD)')
    .option('--data <dir>', 'token shards: DIR/<subset>/part-NNNNN.bin + .idx (written by `massivetext sample`)', './massivetext-out/sample')
    .option('--run-dir <dir>', 'checkpoints, metrics.jsonl and the plan (default: ./massivetext-out/train/<model>)')
    .option('--model <name>', 'model preset: smoke, mini, gopher-44m, gopher-117m, gopher-417m, gopher-1.4b, gopher-7.1b, gopher-280b', 'smoke')
    .option('--steps <n>', 'optimizer steps (default: the preset\'s; the paper trains 300B tokens)', positiveInt('--steps'))
    .option('--seq-len <n>', 'tokens per sample fed to the model (default: the preset\'s; Gopher 2048)', positiveInt('--seq-len'))
    .option('--batch-size <n>', 'global batch in sequences (default: the preset\'s; Gopher 0.25M tokens = 128 x 2048)', positiveInt('--batch-size'))
    .option('--micro-batch <n>', 'sequences per forward pass; gradients accumulate to the batch', positiveInt('--micro-batch'))
    .option('--lr <x>', 'peak learning rate (default: the preset\'s, paper Table 1)')
    .option('--warmup <n>', 'warm-up steps (default: 1,500, or 10% of a shorter run)', positiveInt('--warmup'))
    .option('--device <d>', 'auto (CUDA + bf16 when present), cpu or cuda', 'auto')
    .option('--resume', 'continue the run in --run-dir from its last checkpoint, at exactly the next sample')
    .option('--trainer <cmd>', 'bundled, or a command (no shell; quotes group words) speaking trainer/CONTRACT.md', 'bundled')
    .option('--python <path>', 'interpreter for the bundled trainer (default: $MASSIVETEXT_PYTHON, else /usr/bin/python3)')
    .option('--weights <list>', 'mixture weights, e.g. web=0.48,books=0.27 (default: the sample manifest\'s, else token counts)')
    .option('--seed <n>', 'seed of the plan\'s shuffles and of the model initialisation', '1234')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default: 1000, at most steps/5)', positiveInt('--checkpoint-every'))
    .option('--max-restarts <n>', 'restarts from the last checkpoint after the trainer dies', '3')
    .option('--threads <n>', 'torch CPU threads (default: all cores)', positiveInt('--threads'))
    .option('--world-size <n>', 'data-parallel ranks (default: $WORLD_SIZE, $SLURM_NTASKS or 1)')
    .option('--rank <n>', 'this process\'s rank (default: $RANK, $SLURM_PROCID or 0)')
    .option('--local-rank <n>', 'GPU index on this node (default: $LOCAL_RANK, $SLURM_LOCALID or the rank)')
    .option('--doc-chunk <n>', 'documents per unit of the per-epoch document shuffle (1: uniform, as Megatron; 16: for huge shuffled shards)', positiveInt('--doc-chunk'))
    .option('--untied-embeddings', 'separate output projection instead of the tied input embedding')
    .option('--plan-only', 'write the plan, print its summary and stop');
  addReporterOptions(cmd, { json: 'progress as JSON lines on stderr', quiet: 'no progress', progress: false })
    .addHelpText('after', `
The plan (RUN/plan/*.npy + plan.json) fixes which seq-len+1 tokens every step reads: subsets blended by
weight (Megatron's greedy rule), documents shuffled per epoch, packed across document boundaries; rank r of
W reads samples [t*G + r*G/W, t*G + (r+1)*G/W) at step t. The trainer memory-maps it (trainer/CONTRACT.md).
Metrics: RUN/metrics.jsonl (one JSON event a line). Checkpoints: RUN/checkpoints/step-NNNNNNNN.pt.

Examples:
  $ massivetext train-runner --model smoke --steps 50 --device cpu
  $ massivetext train-runner --model gopher-44m --data run1/sample --run-dir run1/train-44m --resume
  $ massivetext train-runner --trainer "/opt/venv/bin/python my_train.py --fast" --steps 1000 --batch-size 64
  $ torchrun-style: RANK=1 WORLD_SIZE=8 LOCAL_RANK=1 massivetext train-runner --model gopher-117m`)
    .action(action(async (opts: TrainCliOptions) => {
      // the planner and the supervisor are loaded when the command runs, not at CLI start-up
      const [{ latestCheckpoint, resolveRank, splitCommand, superviseTraining }, { parseWeights }] = await Promise.all([
        import('../../stages/train/index.js'), import('../../stages/sample/index.js'),
      ]);
      const say = (m: string) => { if (!opts.quiet) process.stderr.write(opts.json ? JSON.stringify({ event: 'info', message: m }) + '\n' : `train-runner: ${m}\n`); };
      const all = presets();
      const preset = all[opts.model];
      if (!preset) throw new MassivetextError('unknown_model', `unknown --model "${opts.model}"`, `choose one of: ${Object.keys(all).join(', ')}`);
      if (!['auto', 'cpu', 'cuda'].includes(opts.device)) throw new MassivetextError('bad_device', `--device must be auto, cpu or cuda, got "${opts.device}"`);
      const seed = intOption('--seed', opts.seed)!;
      const rank = resolveRank({ rank: intOption('--rank', opts.rank), worldSize: intOption('--world-size', opts.worldSize), localRank: intOption('--local-rank', opts.localRank) });
      const steps = opts.steps ?? preset.steps;
      const seqLen = opts.seqLen ?? preset.seq_len;
      const batch = opts.batchSize ?? preset.batch;
      if (batch % rank.worldSize !== 0) throw new MassivetextError('bad_batch_size', `--batch-size ${batch} does not divide by ${rank.worldSize} ranks`);
      const lr = opts.lr === undefined ? undefined : Number(opts.lr);
      if (lr !== undefined && !(lr > 0)) throw new MassivetextError('bad_option', `--lr must be a positive number, got "${opts.lr}"`);
      const runDir = path.resolve(opts.runDir ?? path.join('massivetext-out', 'train', opts.model));
      const planDir = path.join(runDir, 'plan');

      if (!opts.resume && !opts.planOnly && latestCheckpoint(runDir)) {
        throw new MassivetextError('run_exists', `${runDir} already holds checkpoints`, 'pass --resume to continue that run, or choose another --run-dir');
      }
      const plan = await ensurePlan({ data: opts.data, planDir, seqLen, samples: steps * batch, seed, docChunk: opts.docChunk ?? 1, weights: opts.weights ? parseWeights(opts.weights) : undefined, rank }, say);
      if (opts.planOnly) {
        await writeOut(JSON.stringify({ plan_dir: planDir, plan_id: plan.planId, samples: plan.samples, seq_len: plan.seqLen, timings_ms: plan.timings,
          subsets: plan.subsets.map((s) => ({ name: s.name, weight: s.weight, samples: s.samples, epochs: s.epochs, documents: s.documents, tokens: s.tokens })) }) + '\n');
        return EXIT_OK;
      }

      let trainer: TrainerCommand;
      if (opts.trainer === 'bundled') {
        trainer = { command: opts.python ?? defaultPython(), args: [path.join(trainerDir(), 'train.py')] };
      } else {
        const argv = splitCommand(opts.trainer);
        trainer = { command: argv[0]!, args: argv.slice(1) };
      }
      const config: TrainerConfig = {
        plan: planDir, run_dir: runDir, model: opts.model, steps, batch_size: batch, seq_len: seqLen, device: opts.device,
        checkpoint_every: opts.checkpointEvery ?? Math.max(1, Math.min(1000, Math.floor(steps / 5))), seed,
        vocab_size: plan.vocabSize ?? undefined,
        threads: opts.threads ?? (opts.device === 'cuda' ? undefined : os.availableParallelism()),
        ...(opts.microBatch ? { micro_batch: opts.microBatch } : {}),
        ...(lr !== undefined ? { lr } : {}),
        ...(opts.warmup ? { warmup: opts.warmup } : {}),
        ...(opts.untiedEmbeddings ? { tie_embeddings: false } : {}),
      };
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let lastDraw = 0;
      const live = !opts.quiet && !opts.json && Boolean(process.stderr.isTTY);
      try {
        const result = await superviseTraining({
          runDir, planId: plan.planId, trainer, config, rank, resume: Boolean(opts.resume),
          maxRestarts: intOption('--max-restarts', opts.maxRestarts)!, restartDelayMs: 1000, signal: ac.signal,
          onOutput: (line) => { if (!opts.quiet) process.stderr.write(`${live ? '\r\x1b[2K' : ''}trainer: ${line}\n`); },
          onRestart: (r) => say(`trainer ${r.reason}; restarting from ${r.from ? `checkpoint step ${r.from.step}` : 'the beginning (no checkpoint yet)'} (attempt ${r.attempt})`),
          onEvent: (e) => {
            if (opts.quiet) return;
            if (opts.json) return void process.stderr.write(JSON.stringify(e) + '\n');
            if (e.event === 'start') say(`${e.model}: ${(Number(e.parameters) / 1e6).toFixed(2)}M parameters on ${e.device} (${e.dtype}, ${e.attention} attention), steps ${Number(e.start_step) + 1}..${e.steps}, batch ${e.batch_size} x ${e.seq_len}`);
            else if (e.event === 'checkpoint') say(`checkpoint step ${e.step} -> ${e.path}`);
            else if (e.event === 'error') say(`trainer error [${e.code}]: ${e.message}`);
            else if (e.event === 'step') {
              const now = Date.now();
              const last = e.step === steps;
              if (!last && now - lastDraw < (live ? 100 : 2000)) return;
              lastDraw = now;
              const text = describeStep(e, steps);
              process.stderr.write(live ? `\r\x1b[2K${text}${last ? '\n' : ''}` : `${text}\n`);
            }
          },
        });
        await writeOut(JSON.stringify({
          status: result.status, run_dir: runDir, plan_id: plan.planId, steps: result.steps, restarts: result.restarts,
          first_loss: result.firstLoss, last_loss: result.lastLoss, checkpoint: result.checkpoint?.path ?? null, wall_s: Math.round(result.wallSeconds * 10) / 10,
        }) + '\n');
        return result.status === 'done' ? EXIT_OK : EXIT_ERROR;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }));
}
