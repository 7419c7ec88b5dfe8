/**
 * What `massivetext filter` runs (filter.ts defines the command and imports this when it runs).
 * `massivetext filter [FILE...] [--rules LIST] [--explain] [--rejected DIR]`: JSON lines in (files or stdin),
 * kept documents out. `--explain` prints one verdict per input document instead: {"id","keep","reason"}
 * (plus "detail" when the filter gave one). Dropped documents can be written to DIR/part-00000.jsonl.zst
 * with `meta.dropReason`. A summary (documents in/kept, drops by reason) goes to stderr.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  type Document, DocumentPartWriter, documentToJson, MassivetextError, parseDocumentLine, partName, readDocuments, RecordError,
  StageStats, type Verdict, WorkerPool,
} from '../../pipeline/index.js';
import { applyFilters, buildFilters, defaultFilterSpecs, FILTER_FACTORIES, type FilterSpec } from '../../filters/index.js';
import { EXIT_OK, EXIT_SKIPPED, writeOut } from '../cli-io.js';
import { reporterFor } from '../reporter-options.js';
import type { FilterCliOptions } from './filter.js';

const FILTERS_MODULE = new URL('../../filters/apply-filters.js', import.meta.url).href;

/** Specs from --filters FILE (a JSON array of names or {"name","with","subsets"}) or --rules a,b,c. */
async function resolveSpecs(o: FilterCliOptions): Promise<FilterSpec[]> {
  let specs: FilterSpec[];
  if (o.filters) {
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(o.filters, 'utf8'));
    } catch (e) {
      throw new MassivetextError('bad_filters_file', `cannot read filter specs from ${o.filters}: ${(e as Error).message}`,
        'a JSON array like ["english", {"name": "gopher-quality", "with": {"minWords": 30}}]', { file: o.filters });
    }
    if (!Array.isArray(raw)) throw new MassivetextError('bad_filters_file', `${o.filters} must hold a JSON array of filter specs`, '', { file: o.filters });
    specs = raw.map((s) => (typeof s === 'string' ? { name: s } : (s as FilterSpec)));
  } else {
    const names = (o.rules ?? defaultFilterSpecs.map((s) => s.name).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
    if (!names.length) throw new MassivetextError('bad_option', '--rules is empty', `name some of: ${Object.keys(FILTER_FACTORIES).join(', ')}`);
    specs = names.map((name) => defaultFilterSpecs.find((s) => s.name === name) ?? { name });
  }
  if (o.allSubsets) specs = specs.map(({ subsets: _s, ...rest }) => rest);
  buildFilters(specs); // validates names and options before any input is read
  return specs;
}

/** Documents of stdin (plain JSON lines; /dev/stdin cannot be opened when stdin is a socket). Ids default to stdin:LINE. */
async function* stdinDocuments(onError: (e: RecordError) => void): AsyncGenerator<Document> {
  const decoder = new TextDecoder();
  let pending = '';
  let line = 0;
  function* parse(texts: string[]): Generator<Document> {
    for (const text of texts) {
      line++;
      if (!text.trim()) continue;
      try {
        yield parseDocumentLine(text.endsWith('\r') ? text.slice(0, -1) : text, { file: 'stdin', line }, 'web');
      } catch (e) {
        if (e instanceof RecordError) onError(e);
        else throw e;
      }
    }
  }
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    yield* parse(lines);
  }
  pending += decoder.decode();
  if (pending) yield* parse([pending]);
}

async function* documents(inputs: string[], onError: (e: RecordError) => void): AsyncGenerator<Document> {
  const files = inputs.length ? inputs : ['-'];
  for (const file of files) {
    if (file === '-') {
      yield* stdinDocuments(onError);
      continue;
    }
    try {
      await fs.access(file);
    } catch {
      throw new MassivetextError('unreadable_input', `cannot read ${file}`, 'check the path', { file });
    }
    yield* readDocuments(file, { defaultSubset: 'web', onError });
  }
}

async function* batches(docs: AsyncIterable<Document>, maxDocs = 256, maxChars = 4 << 20): AsyncGenerator<Document[]> {
  let b: Document[] = [];
  let chars = 0;
  for await (const d of docs) {
    b.push(d);
    chars += d.text.length;
    if (b.length >= maxDocs || chars >= maxChars) {
      yield b;
      b = [];
      chars = 0;
    }
  }
  if (b.length) yield b;
}

export async function runFilter(inputs: string[], o: FilterCliOptions): Promise<number> {
  const reporter = reporterFor(o);
  const specs = await resolveSpecs(o);
  const stats = new StageStats('filter');
  const onError = (e: RecordError) => {
    stats.error(e.code);
    reporter.warn(e.code, e.message, e.position);
  };
  const rejected = o.rejected ? await DocumentPartWriter.open(path.join(o.rejected, partName(0))) : null;
  const workers = o.workers ?? 1;
  const pool = workers > 1 ? new WorkerPool({ size: workers }) : null;
  const batchIter = batches(documents(inputs, onError));
  const inputsWithDocs: Document[][] = [];
  const results: AsyncIterable<{ verdicts: Verdict[] }> = pool
    ? pool.map(FILTERS_MODULE, 'applyFilters', specs, (async function* () {
      for await (const b of batchIter) {
        inputsWithDocs.push(b);
        yield b;
      }
    })())
    : (async function* () {
      for await (const b of batchIter) {
        inputsWithDocs.push(b);
        yield applyFilters(b, specs);
      }
    })();
  let done = 0;
  let bytes = 0;
  try {
    for await (const { verdicts } of results) {
      const docs = inputsWithDocs.shift()!;
      let out = '';
      for (const [i, d] of docs.entries()) {
        const v = verdicts[i]!;
        const size = Buffer.byteLength(d.text);
        stats.in(size);
        bytes += size;
        if (v.keep) {
          stats.kept(size);
          if (!o.explain) out += documentToJson(d) + '\n';
        } else {
          stats.dropped(v.reason);
          if (rejected) await rejected.add({ ...d, meta: { ...d.meta, dropReason: v.reason } });
        }
        if (o.explain) {
          const line: Record<string, unknown> = { id: d.id, keep: v.keep, reason: v.keep ? null : v.reason };
          if (!v.keep && v.detail !== undefined) line.detail = v.detail;
          out += JSON.stringify(line) + '\n';
        }
      }
      if (out) await writeOut(out);
      done += docs.length;
      reporter.progress({ step: 'filter', done, bytes, unit: 'docs' });
    }
    await rejected?.commit();
  } catch (e) {
    await rejected?.abort();
    throw e;
  } finally {
    await pool?.close();
  }
  reporter.clearLine();
  const summary = stats.toJSON().counters;
  if (o.json) process.stderr.write(JSON.stringify({ event: 'summary', step: 'filter', counters: summary }) + '\n');
  else if (!o.quiet) {
    const drops = Object.entries(summary).filter(([k]) => k.startsWith('dropped:')).sort((a, b) => b[1] - a[1]);
    reporter.info(`filter: ${summary.in ?? 0} in, ${summary.kept ?? 0} kept${drops.length ? '; dropped: ' + drops.map(([k, v]) => `${k.slice(8)} ${v}`).join(', ') : ''}`);
  }
  const errors = Object.entries(summary).filter(([k]) => k.startsWith('error:')).reduce((a, [, v]) => a + v, 0);
  return errors ? EXIT_SKIPPED : EXIT_OK;
}
