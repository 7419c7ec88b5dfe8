/**
 * Number formatting for the report, independent of the machine's locale so the same report.json always
 * renders to the same bytes.
 */

/** 1234567 -> "1,234,567". */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  const s = String(Math.round(Math.abs(n)));
  return sign + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const UNITS: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']];

/** 1234567 -> "1.23M"; below 10,000 the exact integer. */
export function fmtCompact(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a < 10_000) return Number.isInteger(n) ? fmtInt(n) : trim(n.toFixed(2));
  for (const [v, u] of UNITS) if (a >= v) return trim((n / v).toPrecision(3)) + u;
  return fmtInt(n);
}

const BYTE_UNITS: [number, string][] = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];

/** Decimal byte sizes: 1536 -> "1.54 kB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  for (const [v, u] of BYTE_UNITS) if (a >= v) return `${trim((n / v).toPrecision(3))} ${u}`;
  return `${fmtInt(n)} B`;
}

/** 0.4812 -> "48.1%". */
export function fmtPct(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '–';
  const floor = 10 ** -digits / 100;
  if (fraction > 0 && fraction < floor) return `<${floor * 100}%`;
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A plain decimal with at most `digits` decimals and no trailing zeros. */
export function fmtNum(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '–';
  return trim(n.toFixed(digits));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
