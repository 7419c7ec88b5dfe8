/**
 * Suffix array by induced sorting (SA-IS, Nong, Zhang & Chan 2009), linear time on Int32Arrays.
 * Input: t[0..n) with t[n-1] = 0 the unique smallest symbol, all others in [1, k).
 */

export function suffixArray(t: Int32Array, k: number): Int32Array {
  const n = t.length;
  const sa = new Int32Array(n);
  if (n === 0) return sa;
  if (n === 1) return sa;
  sais(t, sa, n, k);
  return sa;
}

function getBuckets(t: Int32Array, n: number, k: number, end: boolean): Int32Array {
  const bkt = new Int32Array(k);
  for (let i = 0; i < n; i++) bkt[t[i]!]!++;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    sum += bkt[c]!;
    bkt[c] = end ? sum : sum - bkt[c]!;
  }
  return bkt;
}

function induce(t: Int32Array, sa: Int32Array, stype: Uint8Array, n: number, k: number): void {
  let bkt = getBuckets(t, n, k, false);
  for (let i = 0; i < n; i++) {
    const j = sa[i]! - 1;
    if (j >= 0 && !stype[j]) sa[bkt[t[j]!]!++] = j;
  }
  bkt = getBuckets(t, n, k, true);
  for (let i = n - 1; i >= 0; i--) {
    const j = sa[i]! - 1;
    if (j >= 0 && stype[j]) sa[--bkt[t[j]!]!] = j;
  }
}

function sais(t: Int32Array, sa: Int32Array, n: number, k: number): void {
  const stype = new Uint8Array(n); // 1 = S-type
  stype[n - 1] = 1;
  for (let i = n - 2; i >= 0; i--) {
    stype[i] = t[i]! < t[i + 1]! || (t[i] === t[i + 1] && stype[i + 1]) ? 1 : 0;
  }
  const isLms = (i: number) => i > 0 && stype[i] === 1 && stype[i - 1] === 0;

  // Stage 1: sort LMS substrings.
  let bkt = getBuckets(t, n, k, true);
  sa.fill(-1);
  for (let i = 1; i < n; i++) if (isLms(i)) sa[--bkt[t[i]!]!] = i;
  induce(t, sa, stype, n, k);

  // Compact sorted LMS positions to the front.
  let n1 = 0;
  for (let i = 0; i < n; i++) if (isLms(sa[i]!)) sa[n1++] = sa[i]!;
  sa.fill(-1, n1);
  // Name LMS substrings.
  let name = 0;
  let prev = -1;
  for (let i = 0; i < n1; i++) {
    const pos = sa[i]!;
    let diff = prev < 0;
    if (!diff) {
      for (let d = 0; ; d++) {
        if (t[pos + d] !== t[prev + d] || stype[pos + d] !== stype[prev + d]) { diff = true; break; }
        if (d > 0 && (isLms(pos + d) || isLms(prev + d))) {
          if (!(isLms(pos + d) && isLms(prev + d))) diff = true;
          break;
        }
      }
    }
    if (diff) { name++; prev = pos; }
    sa[n1 + (pos >> 1)] = name - 1;
  }
  const s1 = new Int32Array(n1);
  for (let i = n - 1, j = n1 - 1; i >= n1; i--) if (sa[i]! >= 0) s1[j--] = sa[i]!;

  // Stage 2: sort LMS suffixes (recursively if names are not unique).
  const sa1 = new Int32Array(n1);
  if (name < n1) sais(s1, sa1, n1, name);
  else for (let i = 0; i < n1; i++) sa1[s1[i]!] = i;

  // Stage 3: induce the full suffix array from sorted LMS suffixes.
  const lms = new Int32Array(n1);
  for (let i = 1, j = 0; i < n; i++) if (isLms(i)) lms[j++] = i;
  for (let i = 0; i < n1; i++) sa1[i] = lms[sa1[i]!]!;
  sa.fill(-1);
  bkt = getBuckets(t, n, k, true);
  for (let i = n1 - 1; i >= 0; i--) {
    const j = sa1[i]!;
    sa[--bkt[t[j]!]!] = j;
  }
  induce(t, sa, stype, n, k);
}
