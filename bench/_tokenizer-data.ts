/**
 * Shared data for the tokenizer benchmarks: real prose from the bench corpus (make-bench-corpus.sh),
 * concatenated into one training file, every 20th line held out for bytes/token. Cached under the OS temp
 * dir keyed by the size, so train and encode benchmarks reuse it.
 */
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { benchCorpusDir, listFiles } from './_util.js';

/** Prose parts (dictionaries excluded: they are word lists, not running text). */
const PARTS = ['moby-dick', 'brown', 'nlp-corpus', 'fortunes', 'jargon', 'dict-devil', 'gnu-standards', 'sotu', 'git-docs', 'perl-pod', 'vim-help', 'python-docs', 'linux-docs'];

export interface TokenizerBenchData {
  train: string;
  heldOut: string;
  trainBytes: number;
  heldOutBytes: number;
  trainLines: number;
}

export async function tokenizerBenchData(megabytes: number): Promise<TokenizerBenchData> {
  const dir = path.join(tmpdir(), `massivetext-bench-tokenizer-${megabytes}mb`);
  const train = path.join(dir, 'train.txt');
  const heldOut = path.join(dir, 'held-out.txt');
  const meta = path.join(dir, 'meta.json');
  if (existsSync(meta)) return JSON.parse(await fs.readFile(meta, 'utf8')) as TokenizerBenchData;
  await fs.mkdir(dir, { recursive: true });
  const budget = megabytes * 1e6 / 0.95;
  const files: string[] = [];
  let total = 0;
  for (const p of PARTS) {
    const d = path.join(benchCorpusDir, 'prose', p);
    if (!existsSync(d)) continue;
    for (const f of await listFiles(d)) {
      if (total >= budget) break;
      files.push(f);
      total += (await fs.stat(f)).size;
    }
  }
  if (total < budget * 0.9) throw new Error(`bench corpus too small: ${total} bytes of prose under ${benchCorpusDir}/prose (run make-bench-corpus.sh)`);
  const tw = await fs.open(train + '.tmp', 'w');
  const hw = await fs.open(heldOut + '.tmp', 'w');
  let n = 0;
  let trainBytes = 0;
  let heldOutBytes = 0;
  let trainLines = 0;
  for (const f of files) {
    let carry = '';
    for await (const chunk of createReadStream(f, { encoding: 'utf8' })) {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      let t = '';
      let h = '';
      for (const l of lines) {
        if (++n % 20 === 0) { h += l + '\n'; heldOutBytes += Buffer.byteLength(l) + 1; }
        else { t += l + '\n'; trainBytes += Buffer.byteLength(l) + 1; trainLines++; }
      }
      await tw.write(t);
      await hw.write(h);
    }
    if (carry) { await tw.write(carry + '\n'); trainBytes += Buffer.byteLength(carry) + 1; trainLines++; }
  }
  await tw.close();
  await hw.close();
  await fs.rename(train + '.tmp', train);
  await fs.rename(heldOut + '.tmp', heldOut);
  const data = { train, heldOut, trainBytes, heldOutBytes, trainLines };
  await fs.writeFile(meta, JSON.stringify(data));
  return data;
}
