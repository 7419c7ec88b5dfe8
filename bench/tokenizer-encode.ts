/**
 * `npm run bench -- tokenizer-encode [--mb 60] [--threads 2]`: encodes >= 50 MB of real prose line by line
 * with a 32k unigram model trained by our trainer, with `massivetext tokenizer encode` (1 and N threads),
 * with Debian's spm_encode (one process, and N processes on N slices, so both use all cores), and with
 * sentencepiece-js (one thread, on the first 4 MB). Reports MB/s and ids/s, and checks that our ids are
 * byte-identical to spm_encode's.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tokenizerBenchData } from './_tokenizer-data.js';
import { argValue, cliJs, countIds, round, runTimed } from './_tokenizer-util.js';

async function filesEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fs.readFile(a), fs.readFile(b)]);
  return x.equals(y);
}

/** Splits a file into n slices at line boundaries. */
async function slices(file: string, n: number, dir: string): Promise<string[]> {
  const buf = readFileSync(file);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    let end = i === n - 1 ? buf.length : Math.floor((buf.length * (i + 1)) / n);
    if (i < n - 1) { const nl = buf.indexOf(10, end); end = nl < 0 ? buf.length : nl + 1; }
    const f = path.join(dir, `slice-${i}.txt`);
    await fs.writeFile(f, buf.subarray(start, end));
    out.push(f);
    start = end;
  }
  return out;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * What a fresh encode worker pays before its first id: `loadModel` in a new Node process (ms, median of
 * 3), and the wall time of our CLI and of spm_encode on an empty input (process start + model load).
 */
async function modelLoadFigures(model: string, dir: string): Promise<unknown> {
  const encoderJs = path.resolve(path.dirname(cliJs), '..', 'tokenizer', 'encoder.js');
  const code = `const t = performance.now(); const { loadModel } = await import(${JSON.stringify(encoderJs)}); await loadModel(${JSON.stringify(model)}); process.stdout.write(String(performance.now() - t));`;
  const empty = path.join(dir, 'empty.txt');
  writeFileSync(empty, '');
  const load: number[] = [];
  const ours: number[] = [];
  const spm: number[] = [];
  for (let i = 0; i < 3; i++) {
    load.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', code]).toString()));
    ours.push((await runTimed(process.execPath, [cliJs, 'tokenizer', 'encode', '--model', model, '--input', empty, '--threads', '1'])).wallS);
    spm.push((await runTimed('spm_encode', [`--model=${model}`, '--output_format=id', `--input=${empty}`])).wallS);
  }
  return { oursLoadModelMs: Math.round(median(load)), oursEmptyInputWallS: median(ours), spmEncodeEmptyInputWallS: median(spm) };
}

export async function run(args: string[]): Promise<unknown> {
  const mb = Number(argValue(args, 'mb', '60'));
  const threads = Number(argValue(args, 'threads', '2'));
  const data = await tokenizerBenchData(mb);
  const small = await tokenizerBenchData(10);
  const dir = mkdtempSync(path.join(tmpdir(), 'mt-bench-encode-'));
  try {
    const prefix = path.join(dir, 'model');
    const tr = await runTimed(process.execPath, [cliJs, 'tokenizer', 'train', '--input', small.train, '--vocab-size', '32000', '--threads', String(threads), '--out', prefix, '--quiet']);
    if (tr.status !== 0) throw new Error(`training the model failed:\n${tr.stderrTail}`);
    const model = `${prefix}.model`;
    const inputMB = data.trainBytes / 1e6;
    const modelLoad = await modelLoadFigures(model, dir);
    const figure = (t: { wallS: number; cpuS: number; peakRssMb: number }, ids: number) => ({
      wallS: t.wallS, cpuS: round(t.cpuS, 1), peakRssMb: t.peakRssMb, MBps: round(inputMB / t.wallS, 2), idsPerS: Math.round(ids / t.wallS),
    });
    const ours1Out = path.join(dir, 'ours1.ids');
    const ours1 = await runTimed(process.execPath, [cliJs, 'tokenizer', 'encode', '--model', model, '--input', data.train, '--threads', '1'], ours1Out);
    const oursNOut = path.join(dir, 'oursN.ids');
    const oursN = await runTimed(process.execPath, [cliJs, 'tokenizer', 'encode', '--model', model, '--input', data.train, '--threads', String(threads)], oursNOut);
    const spmOut = path.join(dir, 'spm.ids');
    const spm1 = await runTimed('spm_encode', [`--model=${model}`, '--output_format=id', `--input=${data.train}`], spmOut);
    for (const [name, r] of [['ours', ours1], ['ours-N', oursN], ['spm_encode', spm1]] as const) {
      if (r.status !== 0) throw new Error(`${name} failed:\n${r.stderrTail}`);
    }
    const { ids, lines } = await countIds(spmOut);
    const identical = (await filesEqual(ours1Out, spmOut)) && (await filesEqual(oursNOut, spmOut));
    // spm_encode on all cores: one process per slice, concurrently.
    const parts = await slices(data.train, threads, dir);
    const t0 = performance.now();
    const runs = await Promise.all(parts.map((f, i) => runTimed('spm_encode', [`--model=${model}`, '--output_format=id', `--input=${f}`], path.join(dir, `spm-${i}.ids`))));
    const spmNWall = (performance.now() - t0) / 1000;
    const spmN = { wallS: round(spmNWall, 2), cpuS: runs.reduce((s, r) => s + r.cpuS, 0), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
    // sentencepiece-js, in this process, one thread, on the first 4 MB.
    const require = createRequire(import.meta.url);
    const { SentencePieceProcessor } = require('sentencepiece-js') as { SentencePieceProcessor: new () => { load(f: string): Promise<void>; encodeIds(t: string): number[] } };
    const sp = new SentencePieceProcessor();
    await sp.load(model);
    let jsBytes = 0;
    let jsIds = 0;
    const jsLines: string[] = [];
    let carry = '';
    for await (const chunk of createReadStream(data.train, { encoding: 'utf8' })) {
      const ls = (carry + chunk).split('\n');
      carry = ls.pop()!;
      for (const l of ls) { jsLines.push(l); jsBytes += Buffer.byteLength(l) + 1; }
      if (jsBytes > 4e6) break;
    }
    const tj = performance.now();
    for (const l of jsLines) jsIds += sp.encodeIds(l).length;
    const jsS = (performance.now() - tj) / 1000;
    return {
      input: { MB: round(inputMB, 1), lines, ids, bytesPerToken: round(data.trainBytes / ids, 3) },
      idsIdenticalToSpmEncode: identical,
      modelLoad,
      ours: { threads1: figure(ours1, ids), [`threads${threads}`]: figure(oursN, ids) },
      spm_encode: { process1: figure(spm1, ids), [`processes${threads}`]: figure(spmN, ids) },
      sentencepiece_js: { thread1: { MB: round(jsBytes / 1e6, 1), wallS: round(jsS, 2), MBps: round(jsBytes / 1e6 / jsS, 2), idsPerS: Math.round(jsIds / jsS) } },
      ratios: {
        oursNOverSpmNProcesses: round(spmN.wallS / oursN.wallS, 2),
        ours1OverSpm1: round(spm1.wallS / ours1.wallS, 2),
        note: 'throughput ratios (> 1: ours faster)',
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
