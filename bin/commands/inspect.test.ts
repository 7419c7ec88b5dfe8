/** `massivetext inspect` through the built binary: table on stdout, JSON with --json, errors with a hint and exit 1. */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeManifest } from '../../pipeline/index.js';
import { repoRoot } from '../../tests/helpers/corpora.js';

const run = promisify(execFile);
const bin = path.join(repoRoot, 'dist', 'bin', 'massivetext.js');
const fixtures = path.join(repoRoot, 'bin', 'report', 'fixtures');
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-inspect-cli-'));
  await writeManifest(dir, { tool: 'massivetext', version: 1, fingerprint: 'abc', config: { name: 'cli' }, inputs: [], steps: { report: { units: 1, done: 0, complete: false } } });
  await fs.copyFile(path.join(fixtures, 'report.json'), path.join(dir, 'report.json'));
  await fs.mkdir(path.join(dir, 'sample'));
  await fs.copyFile(path.join(fixtures, 'sample-manifest.json'), path.join(dir, 'sample', 'manifest.json'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('massivetext inspect', () => {
  it('prints a table for a build directory', async () => {
    const { stdout, stderr } = await run(process.execPath, [bin, 'inspect', dir]);
    expect(stderr).toBe('');
    expect(stdout).toContain(`build directory ${dir} (recipe cli`);
    expect(stdout).toMatch(/report\s+1\s+0\s+0% done/);
    expect(stdout).toMatch(/total\s+6,114\s+4,150/);
  });

  it('prints JSON with --json, for scripts', async () => {
    const { stdout } = await run(process.execPath, [bin, 'inspect', path.join(dir, 'sample'), '--json']);
    const j = JSON.parse(stdout);
    expect(j.kind).toBe('sample');
    expect(j.tokens).toBe(87179);
    expect(j.subsets).toHaveLength(5);
  });

  it('exits 1 with the reason and what to do when the directory is not a build', async () => {
    const e = await run(process.execPath, [bin, 'inspect', path.join(dir, 'sample', 'web')]).then(() => null, (x: { code: number; stdout: string; stderr: string }) => x);
    expect(e?.code).toBe(1);
    expect(e?.stdout).toBe('');
    expect(e?.stderr).toContain('[not_found]');
    expect(e?.stderr).toContain('hint: pass the --out directory');
  });
});
