/**
 * Phase 4 of 4 — filter. Task i of N takes parts i, i+N, ...: kept documents go to
 * `outDir/part-NNNNN.jsonl.zst`; each dropped one is recorded in `removed/part-NNNNN.jsonl` with its
 * cluster and the kept document's id.
 */
import type { RecordError } from '../../../pipeline/errors.js';
import type { Counters } from '../../../pipeline/stats.js';
import { filterParts } from '../common/filter-parts.js';

export interface FilterDuplicatesOptions {
  parts: string[];
  workDir: string;
  outDir: string;
  task?: number;
  tasks?: number;
  resume?: boolean;
  onError?: (e: RecordError) => void;
}

export function filterDuplicates(o: FilterDuplicatesOptions): Promise<Counters> {
  return filterParts({ ...o, name: 'near_dedup' });
}
