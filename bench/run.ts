/**
 * `npm run bench -- NAME [args]`: runs bench/NAME.js's `run(args)` and prints its JSON result (our figure
 * beside the reference tool's, measured in the same run). `npm run bench` alone lists the benchmarks.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const [name, ...args] = process.argv.slice(2);
  const available = (await fs.readdir(here)).filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
  if (!name || !available.includes(name)) {
    process.stderr.write(`usage: npm run bench -- <name> [args]\nbenchmarks: ${available.join(', ')}\n`);
    process.exit(name ? 1 : 0);
  }
  const mod = (await import(path.join(here, `${name}.js`))) as { run(args: string[]): Promise<unknown> };
  const result = await mod.run(args);
  process.stdout.write(JSON.stringify({ benchmark: name, ...(result as object) }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
