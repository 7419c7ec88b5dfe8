/**
 * Batch entry point for worker threads (pipeline/worker-pool.ts, pipeline/batch-stage.ts): side-effect
 * free, `applyFilters(docs, specs)` -> one verdict per document, the first filter that drops it giving
 * the reason. Built filters are cached per spec list inside the worker, so a batch costs only the checks.
 */
import { KEEP, type Document, type Filter, type Verdict } from '../pipeline/index.js';
import { buildFilters, FILTER_FACTORIES, type FilterRegistry, type FilterSpec } from './registry.js';

const cache = new Map<string, Filter[]>();

/** Filters for these specs, built once per distinct spec list (and registry) in this thread. */
export function cachedFilters(specs: readonly FilterSpec[], registry: FilterRegistry = FILTER_FACTORIES): Filter[] {
  const key = JSON.stringify(specs) + (registry === FILTER_FACTORIES ? '' : `|${Object.keys(registry).join(',')}`);
  let filters = cache.get(key);
  if (!filters) {
    filters = buildFilters(specs, registry);
    if (cache.size >= 16) cache.clear();
    cache.set(key, filters);
  }
  return filters;
}

/** The verdict of a filter chain on one document: the first drop, or keep. */
export function checkAll(filters: readonly Filter[], doc: Document): Verdict {
  for (const f of filters) {
    const v = f.check(doc);
    if (!v.keep) return v;
  }
  return KEEP;
}

/** Runs the filter chain of `specs` on each document, in order. */
export function applyFilters(docs: Document[], specs: FilterSpec[], registry?: FilterRegistry): { verdicts: Verdict[] } {
  const filters = cachedFilters(specs, registry);
  return { verdicts: docs.map((d) => checkAll(filters, d)) };
}
