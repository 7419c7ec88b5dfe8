/**
 * `massivetext dedup [--exact] [--near] [--against FILE...] [--explain] [FILE...]`: JSON lines in (files or
 * stdin), kept documents out. Runs exact dedup, then MinHash near-dedup, then decontamination, each as its
 * phases with files between them in a work directory (temporary unless --work-dir). Each input file is
 * one part; the first occurrence in (file, line) order is kept. --explain prints one verdict per input
 * document instead: {"id", "keep", "reason", "duplicate_of"}.
 */
import type { Command } from 'commander';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MassivetextError, type RecordError } from '../../pipeline/errors.js';
import { action, EXIT_OK, EXIT_SKIPPED, positiveInt, writeOut } from '../cli-io.js';
import { addReporterOptions, reporterFor, type ReporterCliOptions } from '../reporter-options.js';

interface DedupCliOptions extends ReporterCliOptions {
  exact?: boolean;
  near?: boolean;
  against?: string[];
  titles?: string;
  explain?: boolean;
  workers?: number;
  workDir?: string;
  url: boolean;
  ngram?: number;
  threshold?: number;
  bands?: number;
  rows?: number;
  measure?: string;
  split?: string;
  lshParams?: boolean;
}

/** Gives stdin documents without an id the id `stdin:LINE` (the default would name the temporary file). */
async function* withStdinIds(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let pending = '';
  let line = 0;
  const fix = (text: string): string => {
    line++;
    if (!text.trim()) return text;
    try {
      const obj = JSON.parse(text) as unknown;
      if (obj && typeof obj === 'object' && !Array.isArray(obj) && !('id' in obj)) return JSON.stringify({ id: `stdin:${line}`, ...obj });
    } catch { /* left as is: counted as malformed when read */ }
    return text;
  };
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    if (lines.length) yield lines.map(fix).join('\n') + '\n';
  }
  pending += decoder.decode();
  if (pending) yield fix(pending) + '\n';
}

function probability(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) {
    throw new MassivetextError('bad_option', `threshold must be in (0, 1], got "${value}"`, 'e.g. --threshold 0.8');
  }
  return n;
}

async function lshTable(bands: number, rows: number): Promise<string> {
  const { candidateProbability, chooseLshParams } = await import('../../stages/dedup/index.js');
  const at = [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
  const best = chooseLshParams();
  return [
    `LSH ${bands} bands x ${rows} rows = ${bands * rows} hashes; P(candidate | J) = 1 - (1 - J^${rows})^${bands}`,
    ...at.map((j) => `  J=${j.toFixed(2)}  P=${candidateProbability(j, { bands, rows }).toPrecision(3)}`),
    `cheapest setting with P(0.8) >= 0.9 and P(0.5) <= 0.01: ${best ? `${best.bands} x ${best.rows}` : 'none'}`,
  ].join('\n') + '\n';
}

export function register(program: Command): void {
  const cmd = program
    .command('dedup')
    .description('remove exact duplicates, MinHash near-duplicates and test-set overlaps from JSON lines documents')
    .argument('[inputs...]', 'JSON lines files (plain, .gz, .zst), one part each; stdin when none or "-"')
    .option('--exact', 'exact dedup on normalised text (and URL) hashes')
    .option('--near', 'MinHash LSH near-dedup (13-gram Jaccard >= 0.8)')
    .option('--against <files...>', 'test sets (JSON lines or plain text; name=path to name one): drop overlapping documents')
    .option('--titles <file>', 'Wikipedia article titles to drop (one a line), e.g. WikiText-103 valid+test')
    .option('--explain', 'print {"id","keep","reason","duplicate_of"} per input document instead of the kept documents')
    .option('--workers <n>', 'signature worker threads (default: all cores)', positiveInt('--workers'))
    .option('--work-dir <dir>', 'keep the phase files here (default: a temporary directory, removed at the end)')
    .option('--no-url', 'exact dedup: do not drop documents whose URL was seen before')
    .option('--ngram <n>', 'words per shingle (default 13)', positiveInt('--ngram'))
    .option('--threshold <j>', 'near-dup and test-set similarity threshold (default 0.8)', probability)
    .option('--bands <b>', 'LSH bands (default 33)', positiveInt('--bands'))
    .option('--rows <r>', 'LSH rows per band (default 12)', positiveInt('--rows'))
    .option('--measure <m>', 'test-set similarity: jaccard (the paper\'s, default) or containment')
    .option('--split <s>', 'plain-text test sets: one document per line (default), blank-line, or file')
    .option('--lsh-params', 'print the S-curve of the LSH setting and exit');
  addReporterOptions(cmd, { json: 'progress, warnings and the summary as JSON lines on stderr', progress: false })
    .addHelpText('after', `
Without --exact, --near or --against, runs exact and near dedup. Steps run in the order exact, near,
decontamination. The summary (counts by reason, cluster-size histogram) goes to stderr.

Examples:
  $ massivetext read c4 c4-train.json.gz | massivetext dedup > deduped.jsonl
  $ massivetext dedup --near --explain part-00000.jsonl.zst part-00001.jsonl.zst
  $ massivetext dedup --against lambada=lambada_test.jsonl wikitext-103/wiki.test.tokens --split blank-line docs.jsonl
  $ massivetext dedup --lsh-params`)
    .action(action(async (inputs: string[], o: DedupCliOptions) => {
      // the dedup stages and the engine load when the command runs, not at CLI start-up
      const [{ decontaminate, defaultMinhashOptions, exactDedup, nearDedup, readRemoved }, { documentToJson, partName, readDocuments }] = await Promise.all([
        import('../../stages/dedup/index.js'), import('../../pipeline/index.js'),
      ]);
      const bands = o.bands ?? defaultMinhashOptions.bands;
      const rows = o.rows ?? defaultMinhashOptions.rows;
      if (o.lshParams) {
        await writeOut(await lshTable(bands, rows));
        return EXIT_OK;
      }
      if (o.measure !== undefined && o.measure !== 'jaccard' && o.measure !== 'containment') {
        throw new MassivetextError('bad_option', `--measure must be jaccard or containment, got "${o.measure}"`, 'e.g. --measure containment');
      }
      if (o.split !== undefined && !['line', 'blank-line', 'file'].includes(o.split)) {
        throw new MassivetextError('bad_option', `--split must be line, blank-line or file, got "${o.split}"`, 'e.g. --split blank-line');
      }
      const reporter = reporterFor(o);
      const any = o.exact || o.near || o.against?.length || o.titles;
      const doExact = any ? Boolean(o.exact) : true;
      const doNear = any ? Boolean(o.near) : true;
      const doDecont = Boolean(o.against?.length || o.titles);

      const work = o.workDir ? path.resolve(o.workDir) : await fs.mkdtemp(path.join(os.tmpdir(), 'massivetext-dedup-'));
      let errors = 0;
      const onError = (e: RecordError) => {
        errors++;
        reporter.warn(e.code, e.message, e.position);
      };
      try {
        let parts = inputs.length && !(inputs.length === 1 && inputs[0] === '-') ? inputs : [];
        if (!parts.length) {
          const stdinFile = path.join(work, 'stdin.jsonl');
          await pipeline(process.stdin, withStdinIds, createWriteStream(stdinFile));
          parts = [stdinFile];
        }
        for (const f of parts) {
          try {
            await fs.access(f);
          } catch {
            throw new MassivetextError('unreadable_input', `cannot read ${f}`, 'check the path', { file: f });
          }
        }
        const original = parts;
        let bytes = 0;
        for (const f of parts) bytes += (await fs.stat(f)).size;
        // Small inputs: signatures in this thread (starting worker threads would cost more than it saves).
        const workers = o.workers ?? (bytes < (4 << 20) ? 0 : undefined);
        const summary: Record<string, unknown> = {};
        const removedDirs: { dir: string; parts: number }[] = [];
        let firstStep = true;
        const step = async (name: string, run: (p: string[], w: string, out: string) => Promise<unknown>) => {
          const w = path.join(work, name);
          const out = path.join(w, 'kept');
          summary[name] = await run(parts, w, out);
          removedDirs.push({ dir: w, parts: parts.length });
          parts = parts.map((_, i) => path.join(out, partName(i)));
          firstStep = false;
        };
        const errs = () => (firstStep ? onError : () => {});
        if (doExact) await step('exact', (p, w, out) => exactDedup({ parts: p, workDir: w, outDir: out, options: { urls: o.url }, onError: errs(), reporter }));
        if (doNear) {
          await step('near', (p, w, out) => nearDedup({
            parts: p, workDir: w, outDir: out, workers, onError: errs(), reporter,
            options: { bands, rows, ...(o.ngram ? { n: o.ngram } : {}), ...(o.threshold ? { threshold: o.threshold } : {}) },
          }));
        }
        if (doDecont) {
          await step('decontaminate', (p, w, out) => decontaminate({
            parts: p, against: o.against ?? [], titles: o.titles, outDir: out, workDir: w, onError: errs(),
            options: {
              ...(o.ngram ? { n: o.ngram } : {}), ...(o.threshold ? { threshold: o.threshold } : {}),
              ...(o.measure ? { measure: o.measure as 'jaccard' } : {}), ...(o.split ? { split: o.split as 'line' } : {}),
            },
          }));
        }
        reporter.clearLine();

        if (o.explain) {
          const verdicts = new Map<string, { reason: string; duplicate_of?: string }[]>();
          for (const r of removedDirs) {
            for (const rec of await readRemoved<{ id: string; reason: string; duplicate_of?: string }>(r.dir, r.parts)) {
              const q = verdicts.get(rec.id) ?? [];
              q.push(rec);
              verdicts.set(rec.id, q);
            }
          }
          for (const f of original) {
            for await (const d of readDocuments(f, { onError: () => {} })) {
              const v = verdicts.get(d.id)?.shift();
              await writeOut(JSON.stringify({ id: d.id, keep: !v, reason: v?.reason ?? null, duplicate_of: v?.duplicate_of || null }) + '\n');
            }
          }
        } else {
          for (const f of parts) for await (const d of readDocuments(f)) await writeOut(documentToJson(d) + '\n');
        }
        reporter.info(o.json ? JSON.stringify({ summary }) : `dedup summary: ${JSON.stringify(summary)}`);
      } finally {
        if (!o.workDir) await fs.rm(work, { recursive: true, force: true });
      }
      if (errors) reporter.info(`dedup: ${errors} bad record(s) skipped; see the warnings above`);
      return errors ? EXIT_SKIPPED : EXIT_OK;
    }));
}

