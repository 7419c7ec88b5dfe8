import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addReporterOptions, defaultReporterOptionsHelp, reporterFor } from './reporter-options.js';
import { TerminalReporter } from './terminal-reporter.js';

function parsed(args: string[], progress?: false): Record<string, unknown> {
  const cmd = new Command('x').exitOverride().configureOutput({ writeErr: () => {} });
  addReporterOptions(cmd, progress === false ? { progress: false } : {});
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('reporter options', () => {
  it('adds --json, --quiet and --progress in that order, with the shared help unless a command words its own', () => {
    const cmd = addReporterOptions(new Command('x'), { json: 'progress and the summary as JSON lines on stderr' });
    expect(cmd.options.map((o) => [o.long, o.description])).toEqual([
      ['--json', 'progress and the summary as JSON lines on stderr'],
      ['--quiet', defaultReporterOptionsHelp.quiet],
      ['--progress', defaultReporterOptionsHelp.progress],
    ]);
    expect(addReporterOptions(new Command('y'), { progress: false }).options.map((o) => o.long)).toEqual(['--json', '--quiet']);
  });

  it('parses the flags; a command without a live line refuses --progress', () => {
    expect(parsed(['--json', '--progress'])).toEqual({ json: true, progress: true });
    expect(parsed([])).toEqual({});
    expect(() => parsed(['--progress'], false)).toThrow(/unknown option '--progress'/);
  });

  it('gives a TerminalReporter that follows them (--quiet: no info lines, warnings still shown; --json: JSON lines)', () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string) => (lines.push(String(c)), true)) as typeof process.stderr.write;
    try {
      const quiet = reporterFor({ quiet: true });
      expect(quiet).toBeInstanceOf(TerminalReporter);
      quiet.info('an info line');
      expect(lines).toEqual([]);
      quiet.warn('bad_line', 'a warning');
      expect(lines).toEqual(['warning [bad_line]: a warning (further bad_line warnings are counted, not shown)\n']);
      lines.length = 0;
      const json = reporterFor({ json: true });
      json.info('an info line');
      json.warn('bad_line', 'a warning');
    } finally {
      process.stderr.write = write;
    }
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(['info', 'warning']);
  });
});
