/**
 * The options by which a command chooses how it reports on stderr (--json, --quiet and, where the command
 * draws a live progress line, --progress), and the TerminalReporter they give. Each command may word the
 * help of an option for what it prints (e.g. a summary too); the flags mean the same everywhere.
 */
import type { Command } from 'commander';
import { TerminalReporter } from './terminal-reporter.js';

/** The parsed flags (commander leaves an absent flag undefined). */
export interface ReporterCliOptions {
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** Help texts of the options; `progress: false` leaves --progress out (the command has no live line). */
export interface ReporterOptionsHelp {
  json: string;
  quiet: string;
  progress: string | false;
}

export const defaultReporterOptionsHelp: ReporterOptionsHelp = {
  json: 'progress and warnings as JSON lines on stderr',
  quiet: 'no progress output (warnings are still shown)',
  progress: 'draw the progress line even when stderr is not a terminal',
};

/** Adds --json, --quiet and (unless `progress: false`) --progress to `cmd`, in that order; returns `cmd`. */
export function addReporterOptions(cmd: Command, help: Partial<ReporterOptionsHelp> = {}): Command {
  const h = { ...defaultReporterOptionsHelp, ...help };
  cmd.option('--json', h.json).option('--quiet', h.quiet);
  if (h.progress !== false) cmd.option('--progress', h.progress);
  return cmd;
}

/** The reporter the flags ask for. */
export function reporterFor(o: ReporterCliOptions): TerminalReporter {
  return new TerminalReporter({ json: Boolean(o.json), quiet: Boolean(o.quiet), progress: Boolean(o.progress) });
}
