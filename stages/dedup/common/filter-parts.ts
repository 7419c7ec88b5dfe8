/**
 * The last phase: per input part, copy every document that is not on the part's drop list to the output
 * part (same index), and write one record per dropped document to `removed/part-NNNNN.jsonl`
 * ({id, reason, cluster, cluster_size, duplicate_of}). Memory: the part's drop list.
 * `writeKeptParts` is that loop for any per-document verdict (decontamination uses it too).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../pipeline/atomic-file.js';
import { DocumentPartWriter, partName, readDocuments } from '../../../pipeline/document-parts.js';
import { documentToJson, type Document } from '../../../pipeline/document.js';
import { MassivetextError, type RecordError } from '../../../pipeline/errors.js';
import { mergeCounters, StageStats, type Counters } from '../../../pipeline/stats.js';
import { readDrops } from './cluster-edges.js';
import { layout, partsOfTask, readPartMeta } from './work-layout.js';

export interface FilterPartsOptions {
  /** Input parts, in part order (the same list every phase got). */
  parts: string[];
  /** The dedup work directory (drop lists in, removed records out). */
  workDir: string;
  /** Where kept documents go: `outDir/part-NNNNN.jsonl.zst`. */
  outDir: string;
  task?: number;
  tasks?: number;
  /** Stats name (e.g. "near_dedup"). */
  name: string;
  /** Skip parts whose output and record already exist (resume). Default true. */
  resume?: boolean;
  onError?: (e: RecordError) => void;
}

/** A dropped document as recorded in `removed/part-NNNNN.jsonl`. */
export interface RemovedRecord {
  id: string;
  reason: string;
  cluster: number;
  cluster_size: number;
  duplicate_of: string;
}

/** How one part's documents are decided: the record of why a document is removed, or null to keep it. */
export interface PartVerdicts {
  verdict(doc: Document, ordinal: number): { reason: string } | null;
  /** After the part's last document, before anything is committed: throws if the part cannot be trusted. */
  finish?(documents: number): void;
}

export type KeptPartsOptions = FilterPartsOptions;

/**
 * The commit tail every filtering phase shares (dedup filter, decontamination): for each part of this task,
 * kept documents go to `outDir/part-NNNNN.jsonl.zst`, removed ones to `removed/part-NNNNN.jsonl` (one
 * record a line), then the part's counters to `filtered/part-NNNNN.json`, written last; a part with that
 * record is skipped (resume). `open` is called once per part, before its output is opened.
 */
export async function writeKeptParts(o: KeptPartsOptions, open: (part: number, stats: StageStats) => Promise<PartVerdicts>): Promise<Counters> {
  const all: Counters[] = [];
  for (const p of partsOfTask(o.parts.length, o.task ?? 0, o.tasks ?? 1)) {
    const metaFile = layout.filterMeta(o.workDir, p);
    if (o.resume !== false) {
      try {
        all.push(JSON.parse(await fs.readFile(metaFile, 'utf8')) as Counters);
        continue;
      } catch { /* not done yet */ }
    }
    const stats = new StageStats(o.name);
    const verdicts = await open(p, stats);
    const out = await DocumentPartWriter.open(path.join(o.outDir, partName(p)));
    const removed: string[] = [];
    let ordinal = 0;
    try {
      for await (const doc of readDocuments(o.parts[p]!, {
        onError: (e) => { stats.error(e.code); o.onError?.(e); },
      })) {
        const line = documentToJson(doc);
        // Text bytes, as ingest and the other dedup steps count them (not the JSON line): the funnel adds up.
        const bytes = Buffer.byteLength(doc.text);
        stats.in(bytes);
        const r = verdicts.verdict(doc, ordinal++);
        if (r) {
          stats.dropped(r.reason);
          removed.push(JSON.stringify(r));
        } else {
          stats.kept(bytes);
          await out.addLine(line);
        }
      }
      verdicts.finish?.(ordinal);
      await writeFileAtomic(layout.removed(o.workDir, p), removed.length ? removed.join('\n') + '\n' : '');
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
    await writeFileAtomic(metaFile, JSON.stringify(stats.counters) + '\n');
    all.push(stats.counters);
  }
  return mergeCounters(...all);
}

/** The filter phase of exact and MinHash dedup: drops the documents on the part's drop list (clusters phase). */
export function filterParts(o: FilterPartsOptions): Promise<Counters> {
  return writeKeptParts(o, async (p) => {
    const meta = await readPartMeta(o.workDir, p);
    if (!meta) {
      throw new MassivetextError('dedup_phase_missing', `filter: part ${p} was never read by the first phase`,
        'run every phase in order', { file: o.parts[p] });
    }
    const drops = await readDrops(o.workDir, p);
    return {
      verdict: (doc, ordinal) => {
        const d = drops.get(ordinal);
        if (!d) return null;
        const rec: RemovedRecord = { id: doc.id, reason: d.reason, cluster: d.cluster, cluster_size: d.cluster_size, duplicate_of: d.duplicate_of };
        return rec;
      },
      finish: (documents) => {
        if (documents !== meta.docs) {
          throw new MassivetextError('dedup_input_changed',
            `filter: ${o.parts[p]} now has ${documents} documents, but ${meta.docs} when its keys were computed`,
            'the input changed between phases: delete the dedup work directory and re-run all phases', { file: o.parts[p] });
        }
      },
    };
  });
}
