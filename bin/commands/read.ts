/**
 * `massivetext read <kind> <path-or-url>... [--limit N]`: documents as JSON lines on stdout.
 * Each source family contributes its kinds through a ReadKind table.
 */
import type { Command } from 'commander';
import { MassivetextError } from '../../pipeline/errors.js';
import type { Source } from '../../pipeline/stage.js';
import type { StageStats } from '../../pipeline/stats.js';
import { action, EXIT_OK, EXIT_SKIPPED, positiveInt } from '../cli-io.js';
import { addReporterOptions, reporterFor } from '../reporter-options.js';
import { corpusReadOptions, readKindDescriptions, webReadOptions } from './read-kind-list.js';

export interface ReadKind {
  describe: string;
  open(inputs: string[], opts: Record<string, unknown>): Source;
}

/**
 * All kinds known to `read` (and to recipes), kind -> ReadKind. It loads every source, so it is
 * asynchronous: the sources are imported on the first call, not when this module is.
 */
export async function readKinds(): Promise<Record<string, ReadKind>> {
  return (await import('./read-kinds.js')).readKinds();
}

export function register(program: Command): void {
  const kinds = readKindDescriptions;
  const cmd = program
    .command('read')
    .description('read documents from a source and write them as JSON lines on stdout')
    .argument('<kind>', `one of: ${Object.keys(kinds).join(', ')}`)
    .argument('<inputs...>', 'files, directories or URLs')
    .option('--limit <n>', 'stop after N documents', positiveInt('--limit'))
    .option('--subset <name>', 'subset to assign (jsonl)');
  addReporterOptions(cmd, { progress: false })
    .option('--allow-private', 'let the crawler fetch loopback/private addresses (tests)');
  for (const [flags, help] of [...corpusReadOptions, ...webReadOptions]) cmd.option(flags, help);
  cmd
    .addHelpText('after', `
Kinds:
${Object.entries(kinds).map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n')}

A URL that breaks a limit (--timeout, --connect-timeout, --headers-timeout, --body-timeout, --min-speed)
is named on stderr with the cause (timeout, too_slow) and skipped; the other inputs are read, and the
command exits 3 (finished, bad records skipped). A feed item whose article breaks one keeps the feed content.

Examples:
  $ massivetext read c4 sample/c4/c4-sample.01.json.gz --limit 3
  $ massivetext read jsonl docs.jsonl.zst | massivetext filter --explain
  $ massivetext read warc --timeout 60000 --min-speed 65536 https://example.org/crawl.warc.gz`)
    .action(action(async (kind: string, inputs: string[], opts: Record<string, unknown>) => {
      if (!Object.hasOwn(kinds, kind)) {
        throw new MassivetextError('unknown_kind', `unknown source kind "${kind}"`, `use one of: ${Object.keys(kinds).join(', ')}`);
      }
      const [{ readKinds: loadKinds, stdoutSink }, { runPipeline, totalErrors }] = await Promise.all([import('./read-kinds.js'), import('../../pipeline/index.js')]);
      const k = loadKinds()[kind]!;
      const reporter = reporterFor(opts);
      const stats = new Map<string, StageStats>();
      const result = await runPipeline(k.open(inputs, opts), [], stdoutSink((opts.limit as number) ?? 0), { reporter, step: `read ${kind}`, stats });
      reporter.clearLine();
      const errors = Object.values(result).reduce((a, c) => a + totalErrors(c), 0);
      if (errors) reporter.info(`read ${kind}: ${errors} bad record(s) skipped; see the warnings above`);
      return errors ? EXIT_SKIPPED : EXIT_OK;
    }));
}
