/**
 * Deduplication stages (Gopher §A.1.1, gopher-spec.md §2.5-2.7): exact dedup, MinHash LSH near-dedup,
 * test-set decontamination. Each multi-pass algorithm is a set of phases over input parts with files
 * between them (work directory layout in common/work-layout.ts); task i of N processes parts (or
 * sections) i, i+N, ...; outputs are written atomically and do not depend on task or worker counts.
 */
export * from './exact/index.js';
export * from './minhash/index.js';
export * from './decontaminate/index.js';
export { type ClusterSummary, type DropRecord } from './common/cluster-edges.js';
export { type RemovedRecord } from './common/filter-parts.js';
export { layout as dedupLayout, partsOfTask, type PartMeta } from './common/work-layout.js';
export { readRemoved } from './common/read-removed.js';
