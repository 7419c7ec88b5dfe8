/**
 * Test helpers: the reference tools (Debian's spm_train/spm_encode, sentencepiece-js) run on the same
 * input as our code. A missing spm binary skips those checks only outside CI (`.ci/run` installs
 * Debian's `sentencepiece`); in CI it is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export function hasSpm(): boolean {
  const r = spawnSync('spm_encode', ['--help'], { encoding: 'utf8' });
  return !r.error;
}

/** True when spm checks must run: the binary exists, or we are in CI (where its absence must fail). */
export function spmRequired(): boolean {
  return hasSpm() || !!process.env.CI;
}

/** `spm_encode --output_format=id` over lines; one id array per input line. */
export function spmEncodeIds(model: string, lines: readonly string[]): number[][] {
  const out = execFileSync('spm_encode', [`--model=${model}`, '--output_format=id'], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const rows = out.split('\n');
  rows.pop();
  return rows.map((r) => (r.length ? r.split(' ').map(Number) : []));
}

export function spmTrain(args: Record<string, string | number | boolean>): void {
  execFileSync('spm_train', Object.entries(args).map(([k, v]) => `--${k}=${v}`), { stdio: 'pipe', maxBuffer: 1 << 28 });
}

interface SpjsProcessor {
  load(file: string): Promise<void>;
  encodeIds(text: string): number[];
  processor: { status(): { ToString(): string; delete(): void } };
}

/** Loads a model in sentencepiece-js and fails loudly if its (silently ignored) load status is not OK. */
export async function loadSentencePieceJs(model: string): Promise<SpjsProcessor> {
  const require = createRequire(import.meta.url);
  const { SentencePieceProcessor } = require('sentencepiece-js') as { SentencePieceProcessor: new () => SpjsProcessor };
  const sp = new SentencePieceProcessor();
  await sp.load(model);
  const st = sp.processor.status();
  const msg = st.ToString();
  st.delete();
  if (msg !== 'OK') throw new Error(`sentencepiece-js could not load ${model}: ${msg}`);
  return sp;
}
