/**
 * `massivetext filter [FILE...] [--rules LIST] [--explain] [--rejected DIR]`: JSON lines in (files or stdin),
 * kept documents out. `--explain` prints one verdict per input document instead: {"id","keep","reason"}
 * (plus "detail" when the filter gave one). Dropped documents can be written to DIR/part-00000.jsonl.zst
 * with `meta.dropReason`. A summary (documents in/kept, drops by reason) goes to stderr.
 */
import type { Command } from 'commander';
import { action, positiveInt } from '../cli-io.js';
import { addReporterOptions, type ReporterCliOptions } from '../reporter-options.js';

export interface FilterCliOptions extends ReporterCliOptions {
  rules?: string;
  filters?: string;
  allSubsets?: boolean;
  explain?: boolean;
  rejected?: string;
  workers?: number;
}

/**
 * The filter names the help text lists, so that `--help` does not load the filters: `known` is
 * filters/registry.ts FILTER_FACTORIES' keys, `defaults` its defaultFilterSpecs' names (filter.test.ts
 * checks both against the registry).
 */
export const FILTER_HELP = {
  known: ['english', 'safety', 'gopher-quality', 'gopher-repetition'],
  defaults: ['english', 'safety', 'gopher-quality', 'gopher-repetition'],
} as const;

export function register(program: Command): void {
  const cmd = program
    .command('filter')
    .description('apply the paper\'s content and quality filters to JSON lines documents; kept documents out')
    .argument('[inputs...]', 'JSON lines files (plain, .gz, .zst); stdin when none or "-"')
    .option('--rules <list>', `comma-separated filters (default: ${FILTER_HELP.defaults.join(',')}); known: ${FILTER_HELP.known.join(', ')}`)
    .option('--filters <file>', 'JSON array of filter specs {"name","with","subsets"} (options over the defaults) instead of --rules')
    .option('--all-subsets', 'apply every rule to every subset (default: the paper\'s scoping: quality, repetition and safety on web only, English on all but github; documents without a subset are web)')
    .option('--explain', 'print {"id","keep","reason"} per input document instead of the kept documents')
    .option('--rejected <dir>', 'also write dropped documents (meta.dropReason) to DIR/part-00000.jsonl.zst')
    .option('--workers <n>', 'worker threads (default 1; >1 runs batches on a worker pool)', positiveInt('--workers'));
  addReporterOptions(cmd, { json: 'progress, warnings and the summary as JSON lines on stderr', quiet: 'no progress output or summary (warnings are still shown)', progress: false })
    .addHelpText('after', `
Drop reasons are stable names: english:*, safety:*, gopher_quality:*, gopher_repetition:* (see filters/*.ts).
The safety filter is a SafeSearch STAND-IN (URL/domain blocklists + explicit-term density), not SafeSearch.

Examples:
  $ massivetext read c4 c4-train.json.gz | massivetext filter > kept.jsonl
  $ massivetext filter --rules gopher-quality,gopher-repetition --explain docs.jsonl.zst
  $ echo '[{"name":"safety","with":{"blocklistFiles":["ut1/adult"]}},"gopher-quality"]' > f.json && massivetext filter --filters f.json --rejected rejected/ docs.jsonl`)
    .action(action(async (inputs: string[], o: FilterCliOptions) => (await import('./filter-run.js')).runFilter(inputs, o)));
}
