/** A tiny module for the worker pool's own test: runs inside worker threads. */
import { MassivetextError } from '../errors.js';

export async function slowSquare(input: { n: number; delay: number }, options: { mul: number }): Promise<number> {
  await new Promise((r) => setTimeout(r, input.delay));
  return input.n * input.n * options.mul;
}

export function fail(): never {
  throw new MassivetextError('fixture_failure', 'failed on purpose', 'nothing to do');
}
