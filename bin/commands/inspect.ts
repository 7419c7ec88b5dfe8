/**
 * `massivetext inspect DIR [--json]`: what a build, sample or token-shard directory holds (steps done,
 * counts per subset, tokens, tokenizer) as a table, or as JSON on stdout for scripts.
 */
import type { Command } from 'commander';
import { action, EXIT_OK, writeOut } from '../cli-io.js';

export function register(program: Command): void {
  program
    .command('inspect')
    .description('show what a build or sample directory holds: steps done, documents/bytes/tokens per subset, tokenizer')
    .argument('[dir]', 'a build directory (--out of build), a sample directory or a tokens/<subset> directory', 'massivetext-out')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', `
Examples:
  $ massivetext inspect                                  # ./massivetext-out, the default build directory
  $ massivetext inspect /data/mt --json | jq '.steps[] | select(.complete | not)'
  $ massivetext inspect massivetext-out/sample           # tokens, epochs and weights per subset of a sample
  $ massivetext inspect massivetext-out/tokens/web       # one subset's token shards`)
    .action(action(async (dir: string, opts: { json?: boolean }) => {
      const { formatInspection, inspectDir } = await import('../report/index.js');
      const info = await inspectDir(dir);
      await writeOut(opts.json ? JSON.stringify(info, null, 2) + '\n' : formatInspection(info));
      return EXIT_OK;
    }));
}
