/**
 * What a build, sample or token directory holds, read from the files the pipeline writes: manifest.json
 * (config fingerprint, per-step units), steps/<step>/done/*.json (units finished), report.json
 * (per-subset counts), tokens/<subset>/manifest.json, tokenizer/massivetext.{model,vocab} and, for a
 * sample, its manifest. For `massivetext inspect`; reads only, never writes.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/index.js';
import { describeSampleManifest, type SampleDescription, type SampleManifest } from '../../stages/sample/index.js';
import { decodeModelProto } from '../../tokenizer/model-proto.js';
import { orderSubsets, reportModel } from './report-model.js';

export interface StepInspection {
  name: string;
  /** Units the step has, as recorded in manifest.json (null when the manifest does not say yet). */
  units: number | null;
  /** Units with a completion record under steps/<step>/done/. */
  done: number;
  complete: boolean;
}

export interface SubsetInspection {
  name: string;
  /** Documents read (first step of the funnel). */
  docsRead?: number;
  /** Documents left after the last step recorded (or in the token shards). */
  docs?: number;
  bytes?: number;
  tokens?: number;
  tokenShards?: number;
}

export interface TokenizerInspection {
  /** Relative to the directory. */
  model?: string;
  vocab?: string;
  vocabSize?: number;
  modelType?: string;
}

export interface BuildInspection {
  kind: 'build';
  dir: string;
  recipe: string | undefined;
  fingerprint: string | undefined;
  inputs: { files: number; bytes: number };
  steps: StepInspection[];
  subsets: SubsetInspection[];
  tokens?: number;
  tokenizer?: TokenizerInspection;
  /** report.json / report.html present. */
  report: { json: boolean; html: boolean };
  /** DIR/sample, when a sample was drawn into the default place. */
  sample?: { dir: string; tokens: number; documents: number; subsets: number };
  notes: string[];
}

export interface SampleInspection extends SampleDescription {
  kind: 'sample';
  report: { html: boolean };
}

export interface TokensInspection {
  kind: 'tokens';
  dir: string;
  subset?: string;
  dtype: string;
  vocabSize: number;
  eosId: number | null;
  tokens: number;
  documents: number;
  shards: number;
  bytes: number;
}

export type Inspection = BuildInspection | SampleInspection | TokensInspection;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MassivetextError('bad_json', `${file} is not valid JSON: ${(e as Error).message}`,
      'the file was edited or cut short; re-run the command that writes it (a build resumes where it stopped)', { file });
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

const MODEL_TYPES: Record<number, string> = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };

/** Vocabulary size from the .vocab file (one piece a line) and model type from the .model's trainer spec. */
export async function inspectTokenizer(dir: string, prefix = path.join('tokenizer', 'massivetext')): Promise<TokenizerInspection | undefined> {
  const out: TokenizerInspection = {};
  const vocab = path.join(dir, `${prefix}.vocab`);
  const model = path.join(dir, `${prefix}.model`);
  if (await exists(vocab)) {
    out.vocab = `${prefix}.vocab`;
    const text = await fs.readFile(vocab, 'utf8');
    out.vocabSize = text.split('\n').filter((l) => l.length > 0).length;
  }
  if (await exists(model)) {
    out.model = `${prefix}.model`;
    try {
      const proto = decodeModelProto(await fs.readFile(model));
      const t = proto.trainerSpec?.model_type;
      // model_type absent means the proto2 default, UNIGRAM (sentencepiece_model.proto).
      out.modelType = MODEL_TYPES[typeof t === 'number' ? t : 1] ?? `type ${String(t)}`;
      if (out.vocabSize === undefined) out.vocabSize = proto.pieces.length;
    } catch (e) {
      throw new MassivetextError('bad_tokenizer', `${model} is not a SentencePiece model: ${(e as Error).message}`,
        'the tokenizer step was interrupted or the file was replaced; re-run `massivetext build` to train it again', { file: model });
    }
  }
  return out.vocab || out.model ? out : undefined;
}

async function stepDone(dir: string, step: string): Promise<number> {
  return (await listDir(path.join(dir, 'steps', step, 'done'))).filter((n) => n.endsWith('.json')).length;
}

async function tokenManifest(dir: string): Promise<Record<string, unknown> | undefined> {
  const m = await readJson(path.join(dir, 'manifest.json'));
  return isObj(m) && m.format === 'massivetext-token-shards' ? m : undefined;
}

async function inspectBuild(dir: string, manifest: Record<string, unknown>): Promise<BuildInspection> {
  const out: BuildInspection = {
    kind: 'build', dir,
    recipe: isObj(manifest.config) && typeof manifest.config.name === 'string' ? manifest.config.name : undefined,
    fingerprint: typeof manifest.fingerprint === 'string' ? manifest.fingerprint : undefined,
    inputs: { files: 0, bytes: 0 }, steps: [], subsets: [], report: { json: false, html: false }, notes: [],
  };
  if (Array.isArray(manifest.inputs)) {
    out.inputs.files = manifest.inputs.length;
    out.inputs.bytes = manifest.inputs.reduce((a: number, i) => a + (isObj(i) ? num(i.size) ?? 0 : 0), 0);
  }
  // Steps in the manifest's order (the pipeline's), then any step directory the manifest does not list yet.
  const recorded = isObj(manifest.steps) ? manifest.steps : {};
  const names = [...Object.keys(recorded), ...(await listDir(path.join(dir, 'steps'))).filter((n) => !(n in recorded))];
  for (const name of names) {
    const rec = isObj(recorded[name]) ? recorded[name] : {};
    const units = num(rec.units) ?? null;
    const done = await stepDone(dir, name);
    out.steps.push({ name, units, done, complete: units !== null && units > 0 && done >= units });
  }

  const reportFile = path.join(dir, 'report.json');
  const report = await readJson(reportFile);
  out.report = { json: report !== undefined, html: await exists(path.join(dir, 'report.html')) };
  const subsets = new Map<string, SubsetInspection>();
  const sub = (name: string) => {
    let s = subsets.get(name);
    if (!s) subsets.set(name, (s = { name }));
    return s;
  };
  if (report !== undefined) {
    const m = reportModel(report);
    if (!out.recipe && m.recipe) out.recipe = m.recipe;
    for (const s of m.subsets) {
      const x = sub(s.name);
      const first = s.funnel.find((f) => f.docs !== undefined);
      const last = [...s.funnel].reverse().find((f) => f.docs !== undefined);
      const lastBytes = [...s.funnel].reverse().find((f) => f.bytes !== undefined);
      if (first?.docs !== undefined) x.docsRead = first.docs;
      if (last?.docs !== undefined) x.docs = last.docs;
      if (lastBytes?.bytes !== undefined) x.bytes = lastBytes.bytes;
      if (s.tokens !== undefined) x.tokens = s.tokens;
    }
  } else {
    out.notes.push('no report.json yet: the report step has not run (re-run `massivetext build` to finish)');
  }
  // Token shards on disk are the final word on tokens per subset.
  for (const name of await listDir(path.join(dir, 'tokens'))) {
    const tm = await tokenManifest(path.join(dir, 'tokens', name));
    if (!tm) continue;
    const x = sub(name);
    if (num(tm.tokens) !== undefined) x.tokens = num(tm.tokens)!;
    if (x.docs === undefined && num(tm.documents) !== undefined) x.docs = num(tm.documents)!;
    if (Array.isArray(tm.shards)) x.tokenShards = tm.shards.length;
  }
  out.subsets = orderSubsets(subsets.keys()).map((n) => subsets.get(n)!);
  const withTokens = out.subsets.filter((s) => s.tokens !== undefined);
  if (withTokens.length) out.tokens = withTokens.reduce((a, s) => a + s.tokens!, 0);

  const tok = await inspectTokenizer(dir);
  if (tok) out.tokenizer = tok;
  else if (isObj(report) && isObj(report.tokenizer)) {
    const t: TokenizerInspection = {};
    if (num(report.tokenizer.vocab_size) !== undefined) t.vocabSize = num(report.tokenizer.vocab_size)!;
    if (typeof report.tokenizer.model_type === 'string') t.modelType = report.tokenizer.model_type;
    out.tokenizer = t;
  }

  const sampleManifest = await readJson(path.join(dir, 'sample', 'manifest.json'));
  if (isObj(sampleManifest) && sampleManifest.format === 'massivetext-sample') {
    const d = describeSampleManifest(sampleManifest as unknown as SampleManifest);
    out.sample = { dir: 'sample', tokens: d.tokens, documents: d.documents, subsets: d.subsets.length };
  }
  const unfinished = out.steps.filter((s) => !s.complete && s.units !== null);
  if (unfinished.length) out.notes.push(`${unfinished.length} step(s) unfinished (${unfinished.map((s) => s.name).join(', ')}): re-run the same \`massivetext build\` command to resume`);
  return out;
}

/** A directory with a manifest.json next to or above `dir` (a step folder inside a build, say), or ./massivetext-out below it. */
async function nearestBuildDir(dir: string): Promise<string | undefined> {
  const below = path.join(dir, 'massivetext-out');
  if (await exists(path.join(below, 'manifest.json'))) return below;
  let up = path.resolve(dir);
  for (let i = 0; i < 4; i++) {
    const parent = path.dirname(up);
    if (parent === up) break;
    up = parent;
    if (await exists(path.join(up, 'manifest.json'))) return up;
  }
  return undefined;
}

/** Reads a build, sample or token-shard directory; throws a MassivetextError when `dir` is none of them. */
export async function inspectDir(dir: string): Promise<Inspection> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch {
    throw new MassivetextError('not_found', 'no such directory',
      'pass the --out directory of `massivetext build` (default ./massivetext-out) or a sample directory (default massivetext-out/sample)', { file: dir });
  }
  if (!st.isDirectory()) {
    throw new MassivetextError('not_a_directory', 'this is a file, not a directory',
      'pass the directory that holds manifest.json (the --out of build or sample), not a file in it', { file: dir });
  }
  const file = path.join(dir, 'manifest.json');
  const m = await readJson(file);
  if (isObj(m) && m.format === 'massivetext-sample') {
    const d = describeSampleManifest(m as unknown as SampleManifest, dir);
    return { kind: 'sample', ...d, report: { html: await exists(path.join(dir, 'report.html')) } };
  }
  if (isObj(m) && m.tool === 'massivetext') return inspectBuild(dir, m);
  if (isObj(m) && m.format === 'massivetext-token-shards') {
    const shards = Array.isArray(m.shards) ? m.shards.filter(isObj) : [];
    const out: TokensInspection = {
      kind: 'tokens', dir, dtype: String(m.dtype ?? ''), vocabSize: num(m.vocabSize) ?? 0, eosId: num(m.eosId) ?? null,
      tokens: num(m.tokens) ?? 0, documents: num(m.documents) ?? 0, shards: shards.length,
      bytes: shards.reduce((a, s) => a + (num(s.binBytes) ?? 0) + (num(s.idxBytes) ?? 0), 0),
    };
    if (isObj(m.meta) && typeof m.meta.subset === 'string') out.subset = m.meta.subset;
    return out;
  }
  if (m === undefined) {
    const near = await nearestBuildDir(dir);
    const hint = near
      ? `did you mean ${near}?`
      : 'pass the --out directory of `massivetext build` (default ./massivetext-out) or of `massivetext sample` (default massivetext-out/sample); a build writes manifest.json before its first step';
    throw new MassivetextError('not_a_build_dir', 'no manifest.json here, so this is not a build, sample or token-shard directory', hint, { file: dir });
  }
  throw new MassivetextError('not_a_build_dir', 'this manifest.json is not a massivetext build, sample or token-shard manifest',
    'pass the --out directory of `massivetext build` or `massivetext sample`', { file });
}
