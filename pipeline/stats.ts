/**
 * Per-stage counters as plain JSON that add up across tasks and resumed runs:
 * `in`, `kept`, `dropped:<reason>`, `error:<code>`, `bytes_in`, `bytes_out`, `wall_ms`.
 */

export type Counters = Record<string, number>;

export class StageStats {
  readonly name: string;
  readonly counters: Counters = {};

  constructor(name: string, counters?: Counters) {
    this.name = name;
    if (counters) Object.assign(this.counters, counters);
  }

  add(key: string, n = 1): void {
    this.counters[key] = (this.counters[key] ?? 0) + n;
  }
  get(key: string): number {
    return this.counters[key] ?? 0;
  }
  in(bytes?: number): void {
    this.add('in');
    if (bytes !== undefined) this.add('bytes_in', bytes);
  }
  kept(bytes?: number): void {
    this.add('kept');
    if (bytes !== undefined) this.add('bytes_out', bytes);
  }
  dropped(reason: string): void {
    this.add(`dropped:${reason}`);
  }
  error(code: string): void {
    this.add(`error:${code}`);
  }
  toJSON(): { name: string; counters: Counters } {
    return { name: this.name, counters: sortedCounters(this.counters) };
  }
}

export function sortedCounters(c: Counters): Counters {
  const out: Counters = {};
  for (const k of Object.keys(c).sort()) out[k] = c[k]!;
  return out;
}

/** Adds counters of the same stage from several tasks. */
export function mergeCounters(...all: Counters[]): Counters {
  const out: Counters = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return sortedCounters(out);
}

/** Stats of a whole run: stage name -> counters. */
export type RunStats = Record<string, Counters>;

export function mergeRunStats(...all: RunStats[]): RunStats {
  const out: RunStats = {};
  for (const s of all) for (const [name, c] of Object.entries(s)) out[name] = mergeCounters(out[name] ?? {}, c);
  return out;
}

export function totalDropped(c: Counters): number {
  let n = 0;
  for (const [k, v] of Object.entries(c)) if (k.startsWith('dropped:')) n += v;
  return n;
}

export function totalErrors(c: Counters): number {
  let n = 0;
  for (const [k, v] of Object.entries(c)) if (k.startsWith('error:')) n += v;
  return n;
}
