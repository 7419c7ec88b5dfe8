/**
 * The per-part loop of a dedup run's first phase (exact keys, MinHash signatures): for each part of this
 * task, a part whose record says it was done with the same config from an unchanged input is skipped
 * (resume: its recorded counters count, plus `parts_resumed`); any other is computed and its record
 * (`parts/part-NNNNN.json`, with the input's size and mtime taken before reading) is written last.
 */
import { promises as fs } from 'node:fs';
import { mergeCounters, StageStats, type Counters } from '../../../pipeline/stats.js';
import { inputUnchanged, partsOfTask, readPartMeta, writePartMeta } from './work-layout.js';

export interface ComputePartsOptions {
  /** Input parts (document JSON lines, plain/.gz/.zst), in part order; every phase gets the same list. */
  parts: string[];
  /** Work directory shared by the phases. */
  workDir: string;
  task?: number;
  tasks?: number;
  /** Skip parts already done with the same config and an unchanged input (default true). */
  resume?: boolean;
}

/** What computing one part produced: its documents (ordinals 0 .. docs-1) and key runs written. */
export interface ComputedPart {
  docs: number;
  runs: number;
}

/**
 * Runs `compute` for every part of this task that is not done yet, with a fresh StageStats named `name`;
 * `config` is the JSON of the options that shape the part's files. Returns the merged counters.
 */
export async function computeParts(o: ComputePartsOptions, name: string, config: string,
  compute: (part: number, file: string, stats: StageStats) => Promise<ComputedPart>): Promise<Counters> {
  const all: Counters[] = [];
  for (const p of partsOfTask(o.parts.length, o.task ?? 0, o.tasks ?? 1)) {
    const file = o.parts[p]!;
    if (o.resume !== false) {
      const m = await readPartMeta(o.workDir, p);
      if (m && m.file === file && m.config === config && (await inputUnchanged(m))) {
        all.push({ ...m.stats, parts_resumed: 1 });
        continue;
      }
    }
    const st = await fs.stat(file);
    const stats = new StageStats(name);
    const { docs, runs } = await compute(p, file, stats);
    await writePartMeta(o.workDir, { part: p, file, size: st.size, mtimeMs: st.mtimeMs, docs, runs, stats: stats.counters, config });
    all.push({ ...stats.counters, parts_computed: 1 });
  }
  return mergeCounters(...all);
}
