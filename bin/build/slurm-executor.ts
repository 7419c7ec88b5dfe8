/** Placeholder until the Slurm executor lands (issue 10). */
import { MassivetextError, type Reporter, type Step, type Unit } from '../../pipeline/index.js';

export interface SlurmRunOptions {
  outDir: string;
  configFile?: string;
  steps: Step<Unit>[];
  tasks: number;
  slurmOpts: string[];
  reporter: Reporter;
  workers?: number;
}

export async function runSlurm(_o: SlurmRunOptions): Promise<number> {
  throw new MassivetextError('not_available', 'the Slurm executor is not built yet', 'use --executor local');
}
