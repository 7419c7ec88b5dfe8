/**
 * The MinHash kernel on WebAssembly SIMD (4 hash functions per instruction, two shingles per pass):
 * the same values as `signatureOf` in signature.ts, several times faster. Falls back to the JavaScript
 * kernel where WebAssembly SIMD is missing. The module is compiled on first use, once per thread.
 */
import { signatureOf } from './signature.js';
import { MINHASH_SIMD_WASM_BASE64 } from './wasm/minhash-simd-bytes.js';

interface Kernel {
  memory: WebAssembly.Memory;
  sign: (k4: number, count: number, keys: number, sig: number, h1: number, h2: number) => void;
  /** Keys currently loaded (by identity) and their padded length. */
  keys: Int32Array | null;
  k4: number;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = Buffer.from(MINHASH_SIMD_WASM_BASE64, 'base64');
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const e = inst.exports as unknown as { memory: WebAssembly.Memory; sign: Kernel['sign'] };
    kernel = { memory: e.memory, sign: e.sign, keys: null, k4: 0 };
  } catch {
    kernel = null; // no WebAssembly SIMD here: use the JavaScript kernel
  }
  return kernel;
}

/** True when the SIMD kernel is available in this thread. */
export function simdAvailable(): boolean {
  return load() !== null;
}

/** Same contract as signatureOf: writes keys.length minimum hash values into out. */
export function signatureOfSimd(h1: Int32Array, h2: Int32Array, count: number, keys: Int32Array, out: Int32Array): void {
  const kn = load();
  if (!kn) return signatureOf(h1, h2, count, keys, out);
  const k = keys.length;
  const k4 = (k + 3) & ~3;
  const bytesNeeded = (2 * k4 + 2 * count) * 4;
  if (kn.memory.buffer.byteLength < bytesNeeded) {
    kn.memory.grow(Math.ceil((bytesNeeded - kn.memory.buffer.byteLength) / 65536));
    kn.keys = null;
  }
  const mem = new Int32Array(kn.memory.buffer);
  if (kn.keys !== keys || kn.k4 !== k4) {
    mem.set(keys, 0);
    for (let i = k; i < k4; i++) mem[i] = keys[i % k]!; // padding lanes: computed, never read
    kn.keys = keys;
    kn.k4 = k4;
  }
  const sig = k4;
  const a = 2 * k4;
  const b = a + count;
  mem.fill(0x7fffffff, sig, sig + k4);
  mem.set(h1.subarray(0, count), a);
  mem.set(h2.subarray(0, count), b);
  kn.sign(k4, count, 0, sig * 4, a * 4, b * 4);
  out.set(mem.subarray(sig, sig + k));
}
