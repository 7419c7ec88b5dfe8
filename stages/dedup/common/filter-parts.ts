/**
 * The last phase: per input part, copy every document that is not on the part's drop list to the output
 * part (same index), and write one record per dropped document to `removed/part-NNNNN.jsonl`
 * ({id, reason, cluster, cluster_size, duplicate_of}). Memory: the part's drop list.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../pipeline/atomic-file.js';
import { DocumentPartWriter, partName, readDocuments } from '../../../pipeline/document-parts.js';
import { documentToJson } from '../../../pipeline/document.js';
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

export async function filterParts(o: FilterPartsOptions): Promise<Counters> {
  const all: Counters[] = [];
  for (const p of partsOfTask(o.parts.length, o.task ?? 0, o.tasks ?? 1)) {
    const metaFile = layout.filterMeta(o.workDir, p);
    if (o.resume !== false) {
      try {
        all.push(JSON.parse(await fs.readFile(metaFile, 'utf8')) as Counters);
        continue;
      } catch { /* not done yet */ }
    }
    const meta = await readPartMeta(o.workDir, p);
    if (!meta) {
      throw new MassivetextError('dedup_phase_missing', `filter: part ${p} was never read by the first phase`,
        'run every phase in order', { file: o.parts[p] });
    }
    const drops = await readDrops(o.workDir, p);
    const stats = new StageStats(o.name);
    const out = await DocumentPartWriter.open(path.join(o.outDir, partName(p)));
    const removed: string[] = [];
    let ordinal = 0;
    try {
      for await (const doc of readDocuments(o.parts[p]!, {
        onError: (e) => { stats.error(e.code); o.onError?.(e); },
      })) {
        const line = documentToJson(doc);
        const bytes = Buffer.byteLength(line);
        stats.in(bytes);
        const d = drops.get(ordinal++);
        if (d) {
          stats.dropped(d.reason);
          const rec: RemovedRecord = { id: doc.id, reason: d.reason, cluster: d.cluster, cluster_size: d.cluster_size, duplicate_of: d.duplicate_of };
          removed.push(JSON.stringify(rec));
        } else {
          stats.kept(bytes);
          await out.addLine(line);
        }
      }
      if (ordinal !== meta.docs) {
        throw new MassivetextError('dedup_input_changed',
          `filter: ${o.parts[p]} now has ${ordinal} documents, but ${meta.docs} when its keys were computed`,
          'the input changed between phases: delete the dedup work directory and re-run all phases', { file: o.parts[p] });
      }
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
