/**
 * Help that teaches: every command and subcommand registered on the built CLI has an "Example(s):"
 * section in its --help with at least one `$ massivetext <command> ...` line, and usage errors point to
 * --help. Runs the built binary (npm test builds it first with `tsc -p .`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/corpora.js';

const run = promisify(execFile);
const bin = path.join(repoRoot, 'dist', 'bin', 'massivetext.js');

async function help(cmd: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [bin, ...cmd, '--help'], { cwd: repoRoot, env: { ...process.env, COLUMNS: '120' } });
  return stdout;
}

/** Subcommand names listed under "Commands:" in a help text (commander's layout), without `help`. */
export function listedCommands(text: string): string[] {
  const block = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(text)?.[1] ?? '';
  return block.split('\n').map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1]).filter((c): c is string => c !== undefined && c !== 'help');
}

/** The help text of the program and of every command and subcommand under it, keyed by command path. */
async function allHelp(prefix: string[] = [], into = new Map<string, string>()): Promise<Map<string, string>> {
  const text = await help(prefix);
  into.set(prefix.join(' '), text);
  await Promise.all(listedCommands(text).map((c) => allHelp([...prefix, c], into)));
  return into;
}

describe('massivetext --help', () => {
  it('the CLI is built', () => {
    expect(existsSync(bin), `${bin} is missing: run \`npx tsc -p .\` (npm test does) before this test`).toBe(true);
  });

  it('every command and subcommand has an example section with a runnable example', async () => {
    const helps = await allHelp();
    // The commands CLI.md promises are all registered.
    for (const c of ['build', 'sample', 'train-runner', 'read', 'filter', 'dedup', 'inspect']) expect([...helps.keys()]).toContain(c);
    const missing: string[] = [];
    for (const [cmd, text] of helps) {
      const section = /\n\s*Examples?:\s*\n([\s\S]*)$/.exec(text)?.[1] ?? '';
      const example = new RegExp(`\\$ (?:.*\\| )?massivetext${cmd ? ` ${cmd}` : ''}\\b`);
      if (!example.test(section)) missing.push(`massivetext${cmd ? ` ${cmd}` : ''} --help`);
    }
    expect(missing.sort(), 'these help texts have no "Examples:" section with a `$ massivetext ...` line').toEqual([]);
  });

  it.concurrent.each([
    [['nosuch'], /unknown command 'nosuch'/],
    [['inspect', '--bogus'], /unknown option '--bogus'/],
    [['read'], /missing required argument 'kind'/],
  ])('a usage error (%j) says what is wrong and points to --help', async (args, message) => {
    const r = await run(process.execPath, [bin, ...args], { cwd: repoRoot }).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(r?.code).toBe(1);
    expect(r?.stderr).toMatch(message);
    expect(r?.stderr).toContain('--help');
  });
});
