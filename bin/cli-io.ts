/**
 * The one place that turns errors into exit codes: a MassivetextError prints its message, position and
 * hint and exits 1; anything else is a bug: print the stack and exit 2. Exit 3 means the run finished but
 * skipped bad records (so scripts can tell).
 */
import { isMassivetextError } from '../pipeline/errors.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_BUG = 2;
export const EXIT_SKIPPED = 3;

export function failAndExit(e: unknown): never {
  if (isMassivetextError(e)) {
    process.stderr.write(`massivetext: error: ${e.describe()}\n`);
    process.exit(EXIT_ERROR);
  }
  process.stderr.write(`massivetext: internal error (a bug; please report it with this trace):\n${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(EXIT_BUG);
}

/** Writes to stdout respecting backpressure (for large JSON-lines outputs). */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
}

/** Wraps a commander action: errors become exit codes. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT_OK;
    } catch (e) {
      failAndExit(e);
    }
  };
}

/** Parses a positive integer option with a clear message. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`massivetext: error: ${name} must be a positive integer, got "${value}"\n`);
      process.exit(EXIT_ERROR);
    }
    return n;
  };
}
