/**
 * The global clustering phase: reads every edge file, joins documents with union-find (4 bytes per
 * document, plus 1 byte per document when sections carry different reasons), keeps the first document of
 * each cluster in (part, line) order, and writes per part the list of dropped documents with their
 * cluster and kept document. A single job: its memory is the only one that grows with the corpus, by the
 * stated bytes per document (plus about 100 bytes per duplicate cluster for the kept documents' ids).
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../../../pipeline/atomic-file.js';
import { MassivetextError } from '../../../pipeline/errors.js';
import { forEachEdge } from './edges.js';
import { readIds } from './ids.js';
import { globalOffsets, layout, readAllPartMeta } from './work-layout.js';
import { UnionFind } from './union-find.js';

/** One dropped document, as written to `clusters/part-NNNNN.drops.jsonl` (sorted by ordinal). */
export interface DropRecord {
  ordinal: number;
  reason: string;
  /** Cluster id: the global index of the kept document (stable for the same inputs). */
  cluster: number;
  cluster_size: number;
  kept_part: number;
  kept_ordinal: number;
  duplicate_of: string;
}

export interface ClusterSummary {
  docs: number;
  /** Clusters with at least two documents. */
  clusters: number;
  /** Documents dropped (cluster members other than the kept one). */
  duplicates: number;
  edges: number;
  byReason: Record<string, number>;
  /** Cluster size -> number of clusters of that size (sizes >= 2). */
  histogram: Record<string, number>;
  largestCluster: number;
  /** Memory the union-find held: bytes per document. */
  bytesPerDoc: number;
}

export interface ClusterEdgesOptions {
  workDir: string;
  /** Number of input parts. */
  parts: number;
  /** Reason of each section's edges (e.g. every LSH band: near_duplicate; exact: text, url). */
  sectionReasons: string[];
}

function sectionMissing(file: string): MassivetextError {
  return new MassivetextError('dedup_phase_missing', `cluster: ${file} is missing`,
    'run the bucket/merge phase for every task before clustering', { file });
}

export async function clusterEdges(o: ClusterEdgesOptions): Promise<ClusterSummary> {
  const metas = await readAllPartMeta(o.workDir, o.parts, 'cluster');
  const off = globalOffsets(metas);
  const total = off[o.parts]!;
  if (total > 0xffffffff) {
    throw new MassivetextError('too_many_docs', `cluster: ${total} documents exceed 2^32`, 'dedup subsets separately');
  }
  const uf = new UnionFind(total);
  const distinct = new Set(o.sectionReasons).size > 1;
  // Reason of each document: the lowest section of any edge touching it (255 = none).
  const reasonOf = distinct ? new Uint8Array(total).fill(255) : null;
  let edges = 0;
  for (let s = 0; s < o.sectionReasons.length; s++) {
    const file = layout.edges(o.workDir, s);
    try {
      await fs.access(layout.edgesMeta(o.workDir, s));
    } catch {
      throw sectionMissing(file);
    }
    edges += forEachEdge(file, (pa, oa, pb, ob) => {
      const a = off[pa]! + oa;
      const b = off[pb]! + ob;
      uf.union(a, b);
      if (reasonOf) {
        if (reasonOf[a]! > s) reasonOf[a] = s;
        if (reasonOf[b]! > s) reasonOf[b] = s;
      }
    });
  }

  // Pass 1: cluster sizes (roots of non-singleton clusters only).
  const size = new Map<number, number>();
  for (let g = 0; g < total; g++) {
    const r = uf.find(g);
    if (r !== g) size.set(r, (size.get(r) ?? 1) + 1);
  }
  // Ids of the kept documents, grouped by part.
  const partOf = (g: number): number => {
    let lo = 0;
    let hi = o.parts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (off[mid]! <= g) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const wantedByPart = new Map<number, Set<number>>();
  for (const r of size.keys()) {
    const p = partOf(r);
    let w = wantedByPart.get(p);
    if (!w) wantedByPart.set(p, (w = new Set()));
    w.add(r - off[p]!);
  }
  const keptId = new Map<number, string>();
  for (const [p, wanted] of [...wantedByPart].sort((a, b) => a[0] - b[0])) {
    const ids = await readIds(layout.ids(o.workDir, p), wanted);
    for (const [ord, id] of ids) keptId.set(off[p]! + ord, id);
  }

  // Pass 2: per part drop lists.
  const byReason: Record<string, number> = {};
  let duplicates = 0;
  for (let p = 0; p < o.parts; p++) {
    const lines: string[] = [];
    for (let g = off[p]!; g < off[p + 1]!; g++) {
      const r = uf.find(g);
      if (r === g) continue;
      const reason = o.sectionReasons[reasonOf ? Math.min(reasonOf[g]!, o.sectionReasons.length - 1) : 0]!;
      const kp = partOf(r);
      const rec: DropRecord = {
        ordinal: g - off[p]!, reason, cluster: r, cluster_size: size.get(r)!,
        kept_part: kp, kept_ordinal: r - off[kp]!, duplicate_of: keptId.get(r) ?? '',
      };
      lines.push(JSON.stringify(rec));
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      duplicates++;
    }
    await writeFileAtomic(layout.drops(o.workDir, p), lines.length ? lines.join('\n') + '\n' : '');
  }

  const histogram: Record<string, number> = {};
  let largest = 0;
  for (const s of [...size.values()].sort((a, b) => a - b)) {
    histogram[String(s)] = (histogram[String(s)] ?? 0) + 1;
    if (s > largest) largest = s;
  }
  const summary: ClusterSummary = {
    docs: total, clusters: size.size, duplicates, edges, byReason, histogram, largestCluster: largest,
    bytesPerDoc: 4 + (reasonOf ? 1 : 0),
  };
  await writeFileAtomic(layout.clusterSummary(o.workDir), JSON.stringify(summary, null, 1) + '\n');
  return summary;
}

/** Reads a part's drop list (ordinal -> record). */
export async function readDrops(workDir: string, part: number): Promise<Map<number, DropRecord>> {
  const file = layout.drops(workDir, part);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new MassivetextError('dedup_phase_missing', `filter: ${file} is missing`, 'run the cluster phase before filtering', { file });
  }
  const out = new Map<number, DropRecord>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as DropRecord;
    out.set(r.ordinal, r);
  }
  return out;
}
