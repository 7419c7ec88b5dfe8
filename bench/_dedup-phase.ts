/**
 * Child process for `npm run bench -- dedup memory`: runs ONE dedup phase so that its peak RSS can be
 * measured alone (/usr/bin/time -f %M). Args: PHASE JSON, prints a JSON result on stdout.
 * Phases: idle, signatures, buckets, clusters, filter, exact.
 */
import {
  bucketBands, clusterDuplicates, computeSignatures, exactDedup, filterDuplicates,
} from '../stages/dedup/index.js';

interface PhaseArgs {
  parts: string[];
  workDir: string;
  outDir: string;
  workers: number;
}

async function main(): Promise<void> {
  const phase = process.argv[2];
  const a = JSON.parse(process.argv[3] ?? '{}') as PhaseArgs;
  const t0 = performance.now();
  let result: unknown = null;
  switch (phase) {
    case 'idle': break;
    case 'signatures': result = await computeSignatures({ parts: a.parts, workDir: a.workDir, workers: a.workers, resume: false }); break;
    case 'buckets': result = await bucketBands({ parts: a.parts.length, workDir: a.workDir, resume: false }); break;
    case 'clusters': result = await clusterDuplicates({ parts: a.parts.length, workDir: a.workDir }); break;
    case 'filter': result = await filterDuplicates({ parts: a.parts, workDir: a.workDir, outDir: a.outDir, resume: false }); break;
    case 'exact': result = await exactDedup({ parts: a.parts, workDir: a.workDir, outDir: a.outDir, resume: false }); break;
    default: throw new Error(`unknown phase ${phase}`);
  }
  process.stdout.write(JSON.stringify({ phase, ms: Math.round(performance.now() - t0), result }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
