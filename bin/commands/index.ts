/**
 * Every command module registers itself on the program. One line per module; keep alphabetical.
 * A command module exports `register(program: Command): void` and only it prints/exits (via bin/cli-io.ts).
 */
import type { Command } from 'commander';

type Registrar = (program: Command) => void;

export async function commandModules(): Promise<Registrar[]> {
  const mods: { register: Registrar }[] = await Promise.all([
    // COMMANDS (one import per line, keep this marker)
    import('./build.js'),
    import('./dedup.js'),
    import('./extract.js'),
    import('./filter.js'),
    import('./inspect.js'),
    import('./read.js'),
    import('./sample.js'),
    import('./tokenizer.js'),
    import('./train-runner.js'),
    import('./worker.js'),
  ]);
  return mods.map((m) => m.register);
}
