#!/usr/bin/env node
/** The massivetext command line: argv -> config -> assemble -> run -> render. */
import { Command } from 'commander';
import { commandModules } from './commands/index.js';
import { failAndExit } from './cli-io.js';

async function main(): Promise<void> {
  const program = new Command('massivetext')
    .description('Build a MassiveText-style pretraining corpus (Gopher, Rae et al. 2021) and hand it to a training run.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage and examples)')
    .addHelpText('after', `
Examples:
  $ massivetext build                      # the bundled recipe over the bundled sample -> ./massivetext-out
  $ massivetext sample --ratio 0.128       # draw 12.8% of all tokens by the Gopher mixture
  $ massivetext train-runner --model smoke # train a tiny model on the sample
  $ massivetext inspect massivetext-out    # what a build directory holds`);
  for (const register of await commandModules()) register(program);
  await program.parseAsync(process.argv);
}

main().catch(failAndExit);
