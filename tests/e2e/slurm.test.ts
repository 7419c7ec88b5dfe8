/**
 * The Slurm executor on a real one-node cluster (.ci/run starts it with shared/slurm-local.sh and sets
 * SLURM_LOCAL_MAX_ARRAY_SIZE=4, so 6 tasks need two array chunks): a build through Slurm gives the same
 * bytes as the local executor; a failed task is reported with its log, and the re-run submits only what
 * is missing.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOutputs, runCli, treeHashes } from '../helpers/cli.js';
import { writeRecipeVariant } from '../helpers/recipes.js';

const haveSlurm = spawnSync('sinfo', ['-h'], { encoding: 'utf8' }).status === 0;
const mustRun = Boolean(process.env.CI && process.env.MASSIVETEXT_SLURM);

let tmp: string;
let recipe: string;
let local: string;

/** A small recipe over part of the bundled sample, so a Slurm round trip stays quick. */
function small(r: Record<string, any>): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  r.subsets = { c4: r.subsets.c4, books: r.subsets.books, github: r.subsets.github };
  r.tokenizer.vocabSize = 600;
  r.tokenizer.trainingBytes = 400_000;
}

describe.skipIf(!haveSlurm && !mustRun)('build --executor slurm (real cluster)', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-slurm-'));
    recipe = await writeRecipeVariant(tmp, small);
    local = path.join(tmp, 'local');
    const r = runCli(['build', '--config', recipe, '--out', local, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
  }, 600_000);
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it('builds through job arrays chained by afterok, byte-identical to the local executor', async () => {
    const out = path.join(tmp, 'slurm');
    const r = runCli(['build', '--config', recipe, '--out', out, '--executor', 'slurm', '--tasks', '6', '--wait'], { timeoutMs: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/slurm: ingest: job \d+/);
    expect(r.stderr).toMatch(/slurm: report: job \d+/);
    expect(await treeHashes(out, buildOutputs)).toEqual(await treeHashes(local, buildOutputs));
    const logs = await fs.readdir(path.join(out, 'steps', 'ingest', 'logs'));
    expect(logs.length).toBeGreaterThanOrEqual(6);
    const insp = runCli(['inspect', out, '--json']);
    expect(insp.status, insp.stderr).toBe(0);
    expect(insp.stdout).toMatch(/ingest/);
  }, 600_000);

  it('reports a failed task with its log path, and the re-run submits only the unfinished tasks', async () => {
    const out = path.join(tmp, 'slurm-fail');
    const failed = runCli(['build', '--config', recipe, '--out', out, '--executor', 'slurm', '--tasks', '6', '--wait'],
      { env: { MASSIVETEXT_FAIL_TASK: 'ingest:4' }, timeoutMs: 600_000 });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/tasks_failed/);
    expect(failed.stderr).toMatch(/steps\/ingest\/logs\/\d+_\d+\.out/);
    const done = await fs.readdir(path.join(out, 'steps', 'ingest', 'done'));
    expect(done.length).toBeGreaterThan(0);
    const again = runCli(['build', '--config', recipe, '--out', out, '--executor', 'slurm', '--tasks', '6', '--wait'], { timeoutMs: 600_000 });
    expect(again.status, again.stderr).toBe(0);
    // Only task 4 of ingest was left: the re-run's ingest array holds that one task.
    expect(again.stderr).toMatch(/slurm: ingest: job \d+, array of 1 \(tasks 4 of 6\)/);
    expect(await treeHashes(out, buildOutputs)).toEqual(await treeHashes(local, buildOutputs));
  }, 900_000);
});
