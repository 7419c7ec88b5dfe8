/**
 * `massivetext read <kind> <path-or-url>... [--limit N]`: documents as JSON lines on stdout.
 * Each source family contributes its kinds through a ReadKind table.
 */
import type { Command } from 'commander';
import { documentToJson, runPipeline, type Sink, type Source, StageStats, totalErrors } from '../../pipeline/index.js';
import { jsonlSource } from '../../stages/jsonl/index.js';
import { action, EXIT_OK, EXIT_SKIPPED, positiveInt, writeOut } from '../cli-io.js';
import { TerminalReporter } from '../terminal-reporter.js';
import { corpusReadKinds, corpusReadOptions } from './read-corpus.js';
import { webReadKinds, webReadOptions } from './read-web.js';

export interface ReadKind {
  describe: string;
  open(inputs: string[], opts: Record<string, unknown>): Source;
}

export const jsonlReadKinds: Record<string, ReadKind> = {
  jsonl: {
    describe: 'JSON lines files (plain, .gz, .zst); {"id","text"} suffice',
    open: (inputs, opts) => jsonlSource(inputs, { subset: (opts.subset as never) ?? 'web' }),
  },
};

/** All kinds known to `read` (and to recipes). Families add their tables here. */
export function readKinds(): Record<string, ReadKind> {
  return { ...jsonlReadKinds, ...corpusReadKinds, ...webReadKinds };
}

export const stdoutSink = (limit: number): Sink => ({
  name: 'stdout',
  async write(input) {
    let n = 0;
    for await (const d of input) {
      await writeOut(documentToJson(d) + '\n');
      if (limit && ++n >= limit) break;
    }
  },
});

export function register(program: Command): void {
  const kinds = readKinds();
  const cmd = program
    .command('read')
    .description('read documents from a source and write them as JSON lines on stdout')
    .argument('<kind>', `one of: ${Object.keys(kinds).join(', ')}`)
    .argument('<inputs...>', 'files, directories or URLs')
    .option('--limit <n>', 'stop after N documents', positiveInt('--limit'))
    .option('--subset <name>', 'subset to assign (jsonl)')
    .option('--json', 'progress and warnings as JSON lines on stderr')
    .option('--quiet', 'no progress or warnings')
    .option('--allow-private', 'let the crawler fetch loopback/private addresses (tests)');
  for (const [flags, help] of [...corpusReadOptions, ...webReadOptions]) cmd.option(flags, help);
  cmd
    .addHelpText('after', `
Kinds:
${Object.entries(kinds).map(([k, v]) => `  ${k.padEnd(10)} ${v.describe}`).join('\n')}

Examples:
  $ massivetext read c4 sample/c4/c4-sample.01.json.gz --limit 3
  $ massivetext read jsonl docs.jsonl.zst | massivetext filter --explain`)
    .action(action(async (kind: string, inputs: string[], opts: Record<string, unknown>) => {
      const k = kinds[kind];
      if (!k) {
        const { MassivetextError } = await import('../../pipeline/index.js');
        throw new MassivetextError('unknown_kind', `unknown source kind "${kind}"`, `use one of: ${Object.keys(kinds).join(', ')}`);
      }
      const reporter = new TerminalReporter({ json: Boolean(opts.json), quiet: Boolean(opts.quiet) });
      const stats = new Map<string, StageStats>();
      const result = await runPipeline(k.open(inputs, opts), [], stdoutSink((opts.limit as number) ?? 0), { reporter, step: `read ${kind}`, stats });
      reporter.clearLine();
      const errors = Object.values(result).reduce((a, c) => a + totalErrors(c), 0);
      if (errors) reporter.info(`read ${kind}: ${errors} bad record(s) skipped; see the warnings above`);
      return errors ? EXIT_SKIPPED : EXIT_OK;
    }));
}
