/**
 * Where the phases of a dedup run keep their files, under one work directory, and the per-part
 * completion record that the first phase writes last (so later phases know every part's document count).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../pipeline/atomic-file.js';
import { MassivetextError } from '../../../pipeline/errors.js';
import { partName } from '../../../pipeline/document-parts.js';
import { unitsForTask } from '../../../pipeline/step.js';

const stem = (i: number): string => partName(i).replace(/\.jsonl\.zst$/, '');

export const layout = {
  partMeta: (work: string, i: number) => path.join(work, 'parts', `${stem(i)}.json`),
  ids: (work: string, i: number) => path.join(work, 'ids', `${stem(i)}.ids.jsonl`),
  signatures: (work: string, i: number) => path.join(work, 'signatures', `${stem(i)}.sig`),
  run: (work: string, i: number, run: number) => path.join(work, 'runs', `${stem(i)}.r${String(run).padStart(3, '0')}.keys`),
  edges: (work: string, section: number) => path.join(work, 'edges', `section-${String(section).padStart(3, '0')}.edges`),
  edgesMeta: (work: string, section: number) => path.join(work, 'edges', `section-${String(section).padStart(3, '0')}.json`),
  drops: (work: string, i: number) => path.join(work, 'clusters', `${stem(i)}.drops.jsonl`),
  clusterSummary: (work: string) => path.join(work, 'clusters', 'summary.json'),
  removed: (work: string, i: number) => path.join(work, 'removed', `${stem(i)}.jsonl`),
  filterMeta: (work: string, i: number) => path.join(work, 'filtered', `${stem(i)}.json`),
};

/** What the first phase records about one input part. */
export interface PartMeta {
  part: number;
  file: string;
  /** Size and mtime of the input when it was read: a later phase refuses a changed input. */
  size: number;
  mtimeMs: number;
  /** Documents read (ordinals 0 .. docs-1), malformed lines excluded. */
  docs: number;
  /** Key runs written for this part. */
  runs: number;
  /** Counters of the phase for this part. */
  stats: Record<string, number>;
  /** The options that shape the phase's files (e.g. n, bands, rows, seed): a resume needs the same. */
  config?: string;
}

export async function writePartMeta(work: string, meta: PartMeta): Promise<void> {
  await writeFileAtomic(layout.partMeta(work, meta.part), JSON.stringify(meta) + '\n');
}

export async function readPartMeta(work: string, i: number): Promise<PartMeta | null> {
  try {
    return JSON.parse(await fs.readFile(layout.partMeta(work, i), 'utf8')) as PartMeta;
  } catch {
    return null;
  }
}

/** Every part's meta, or a clear error naming the first part whose first phase has not run. */
export async function readAllPartMeta(work: string, parts: number, phase: string): Promise<PartMeta[]> {
  const out: PartMeta[] = [];
  for (let i = 0; i < parts; i++) {
    const m = await readPartMeta(work, i);
    if (!m) {
      throw new MassivetextError('dedup_phase_missing', `${phase}: part ${i} has no record in ${path.join(work, 'parts')}`,
        'run the first phase (signatures / keys) for every task before this one', { file: layout.partMeta(work, i) });
    }
    out.push(m);
  }
  return out;
}

/** True if the recorded input still has the same size and mtime. */
export async function inputUnchanged(meta: PartMeta): Promise<boolean> {
  try {
    const st = await fs.stat(meta.file);
    return st.size === meta.size && st.mtimeMs === meta.mtimeMs;
  } catch {
    return false;
  }
}

/** Part (or section) indices of task `task` of `tasks`, split as every step's units are (pipeline's
 *  unitsForTask: task, task + tasks, ...), after checking that the task exists. */
export function partsOfTask(parts: number, task: number, tasks: number): number[] {
  if (!Number.isInteger(tasks) || tasks < 1 || !Number.isInteger(task) || task < 0 || task >= tasks) {
    throw new MassivetextError('bad_task', `task ${task} of ${tasks} is not valid`, 'task must be an integer in 0 .. tasks-1');
  }
  return unitsForTask(Array.from({ length: parts }, (_, i) => i), task, tasks);
}

/** Global document index offsets: offsets[p] = documents in parts before p; offsets[parts] = total. */
export function globalOffsets(metas: PartMeta[]): Float64Array {
  const off = new Float64Array(metas.length + 1);
  for (let i = 0; i < metas.length; i++) off[i + 1] = off[i]! + metas[i]!.docs;
  return off;
}
