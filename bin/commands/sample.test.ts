import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli, treeHashes } from '../../tests/helpers/cli.js';
import { buildTokenCorpus } from '../../tests/python/token-corpus.js';

let root: string;
let build: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sample-cli-'));
  build = path.join(root, 'build');
  await buildTokenCorpus(build, { shardTokens: 50_000 });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('massivetext sample', () => {
  it('draws the sample, prints the per-subset summary as JSON and says the weights were renormalised', () => {
    const r = runCli(['sample', '--ratio', '0.128', '--in', build, '--shard-tokens', '20000']);
    expect(r.stderr).toMatch(/no tokens for github/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dir).toBe(path.join(build, 'sample'));
    expect(out.subsets.map((s: { subset: string }) => s.subset)).toEqual(['web', 'books', 'c4', 'news', 'wikipedia']);
    expect(out.weightsRenormalised).toBe(true);
    for (const s of out.subsets) expect(s).toMatchObject({ fullEpochs: 0, shards: expect.any(Number) });
    expect(out.subsets.find((s: { subset: string }) => s.subset === 'wikipedia').tokens).toBeGreaterThan(0);
  });

  it('is resumable: killed at any point, a re-run ends with the bytes of an uninterrupted run', async () => {
    const clean = path.join(root, 'clean');
    expect(runCli(['sample', '--ratio', '0.5', '--in', build, '--out', clean, '--shard-tokens', '40000', '--seed', '3', '--quiet']).status).toBe(0);
    const killedDir = path.join(root, 'killed');
    // SIGKILL as soon as a couple of shards are on disk (mid-run)
    const child = spawn(process.execPath, [cliPath, 'sample', '--ratio', '0.5', '--in', build, '--out', killedDir, '--shard-tokens', '40000', '--seed', '3', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let killed = false;
    for (let i = 0; i < 1500 && child.exitCode === null; i++) {
      if (existsSync(path.join(killedDir, 'web', 'part-00001.idx'))) {
        killed = child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    expect(killed).toBe(true);
    await expect(fs.stat(path.join(killedDir, 'manifest.json'))).rejects.toThrow();
    expect(runCli(['sample', '--ratio', '0.5', '--in', build, '--out', killedDir, '--shard-tokens', '40000', '--seed', '3', '--quiet']).status).toBe(0);
    expect(await treeHashes(killedDir)).toEqual(await treeHashes(clean));
    // Killed after the manifest, while report.html was being written: the re-run that finds the sample
    // complete still clears that dead process's temp file.
    const stale = path.join(killedDir, 'report.html.tmp-999999999-1');
    await fs.writeFile(stale, '');
    expect(runCli(['sample', '--ratio', '0.5', '--in', build, '--out', killedDir, '--shard-tokens', '40000', '--seed', '3', '--quiet']).status).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(await treeHashes(killedDir)).toEqual(await treeHashes(clean));
  });

  it('explains bad input with exit 1', () => {
    const noTokens = runCli(['sample', '--ratio', '0.1', '--in', path.join(root, 'nothing')]);
    expect(noTokens.status).toBe(1);
    expect(noTokens.stderr).toMatch(/no token shards at .*nothing\/tokens/);
    expect(noTokens.stderr).toMatch(/hint: run `massivetext build` first/);
    const badWeights = runCli(['sample', '--ratio', '0.1', '--in', build, '--weights', 'web=0.5,reddit=0.5']);
    expect(badWeights.status).toBe(1);
    expect(badWeights.stderr).toMatch(/unknown subset "reddit"/);
    expect(runCli(['sample', '--ratio', 'lots', '--in', build]).stderr).toMatch(/--ratio must be a positive number/);
    expect(runCli(['sample', '--help']).stdout).toMatch(/Examples:\n\s+\$ massivetext sample --ratio 0.128/);
  });
});
