/** Exact dedup on normalised text (and URL) hashes across all parts of a subset. */
export { normaliseUrl, textKey, urlKey } from './exact-keys.js';
export {
  clusterExact, computeExactKeys, defaultExactDedupOptions, EXACT_REASONS, exactDedup, filterExact, mergeExactKeys,
  type ExactDedupOptions, type ExactDedupResult, type ExactPhaseOptions,
} from './exact-dedup.js';
