/**
 * The merge phase shared by exact and near dedup: for each section (LSH band or exact key kind) of this
 * task, k-way merge the sorted runs of every part and turn each group of records with the same key into
 * duplicate edges via `onGroup`. One edge file per section, written atomically, then a small JSON record.
 * Task i of N handles sections i, i+N, ...; memory is one read buffer per part run.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../../../pipeline/atomic-file.js';
import { mergeCounters, type Counters } from '../../../pipeline/stats.js';
import { EdgeWriter } from './edges.js';
import { KeyRunCursor } from './key-runs.js';
import { mergeKeyGroups, type KeyGroup } from './merge-runs.js';
import { layout, partsOfTask, readAllPartMeta } from './work-layout.js';

export interface MergeSectionsOptions {
  workDir: string;
  parts: number;
  sections: number;
  task?: number;
  tasks?: number;
  resume?: boolean;
  /** Total read-buffer budget across all open runs of one section (default 64 MiB). */
  bufferBytes?: number;
}

export type GroupHandler = (section: number, g: KeyGroup, emit: (pa: number, oa: number, pb: number, ob: number) => Promise<void>,
  stats: Counters) => void | Promise<void>;

export async function mergeSections(o: MergeSectionsOptions, onGroup: GroupHandler): Promise<Counters> {
  const metas = await readAllPartMeta(o.workDir, o.parts, 'merge');
  const runs: { file: string; part: number }[] = [];
  for (const m of metas) for (let r = 0; r < m.runs; r++) runs.push({ file: layout.run(o.workDir, m.part, r), part: m.part });
  const bufferBytes = Math.max(4096, Math.min(256 * 1024, Math.floor((o.bufferBytes ?? 64 << 20) / Math.max(1, runs.length))));
  const all: Counters[] = [];
  for (const s of partsOfTask(o.sections, o.task ?? 0, o.tasks ?? 1)) {
    const metaFile = layout.edgesMeta(o.workDir, s);
    if (o.resume !== false) {
      try {
        all.push(JSON.parse(await fs.readFile(metaFile, 'utf8')) as Counters);
        continue;
      } catch { /* not done */ }
    }
    const stats: Counters = { records: 0, groups: 0, edges: 0 };
    const out = await EdgeWriter.open(layout.edges(o.workDir, s));
    const emit = (pa: number, oa: number, pb: number, ob: number) => out.add(pa, oa, pb, ob);
    try {
      const cursors = runs.map((r) => new KeyRunCursor(r.file, r.part, s, bufferBytes));
      stats.records = await mergeKeyGroups(cursors, (g) => {
        stats.groups!++;
        return onGroup(s, g, emit, stats);
      });
      stats.edges = out.edges;
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
    await writeFileAtomic(metaFile, JSON.stringify(stats) + '\n');
    all.push(stats);
  }
  return mergeCounters(...all);
}
