;; MinHash signature kernel, WebAssembly SIMD (i32x4). Same hash family as signature.ts:
;;   v_i(shingle) = fmix32(h1 ^ key_i) ^ h2, signature_i = min_s over shingles.
;; Memory (all int32, little-endian), offsets in bytes given by the caller:
;;   keys[k4], sig[k4] (pre-filled by the caller), h1[count], h2[count]; k4 = hashes rounded up to 4.
;; Two shingles per iteration share each signature load/store; the mixer is written out inline.
;; Rebuild: wat2wasm minhash-simd.wat -o - | base64 -w0  (see minhash-simd-bytes.ts)
(module
  (memory (export "memory") 1)
  (func (export "sign") (param $k4 i32) (param $count i32) (param $keys i32) (param $sig i32) (param $h1 i32) (param $h2 i32)
    (local $s i32) (local $i i32) (local $end i32)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128) (local $key v128) (local $m v128) (local $t v128) (local $c1 v128) (local $c2 v128)
    (local.set $end (i32.shl (local.get $k4) (i32.const 2)))
    (local.set $c1 (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b))
    (local.set $c2 (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35))
    ;; pairs of shingles
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (i32.add (local.get $s) (i32.const 1)) (local.get $count)))
        (local.set $a0 (i32x4.splat (i32.load (i32.add (local.get $h1) (i32.shl (local.get $s) (i32.const 2))))))
        (local.set $b0 (i32x4.splat (i32.load (i32.add (local.get $h2) (i32.shl (local.get $s) (i32.const 2))))))
        (local.set $a1 (i32x4.splat (i32.load offset=4 (i32.add (local.get $h1) (i32.shl (local.get $s) (i32.const 2))))))
        (local.set $b1 (i32x4.splat (i32.load offset=4 (i32.add (local.get $h2) (i32.shl (local.get $s) (i32.const 2))))))
        (local.set $i (i32.const 0))
        (loop $vec
          (local.set $key (v128.load (i32.add (local.get $keys) (local.get $i))))
          (local.set $m (i32x4.min_s
            (block (result v128)
            (local.set $t (v128.xor (local.get $a0) (local.get $key)))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 16))))
            (local.set $t (i32x4.mul (local.get $t) (local.get $c1)))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 13))))
            (local.set $t (i32x4.mul (local.get $t) (local.get $c2)))
            (v128.xor (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 16))) (local.get $b0)))
            (block (result v128)
            (local.set $t (v128.xor (local.get $a1) (local.get $key)))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 16))))
            (local.set $t (i32x4.mul (local.get $t) (local.get $c1)))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 13))))
            (local.set $t (i32x4.mul (local.get $t) (local.get $c2)))
            (v128.xor (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 16))) (local.get $b1)))))
          (v128.store (i32.add (local.get $sig) (local.get $i))
            (i32x4.min_s (v128.load (i32.add (local.get $sig) (local.get $i))) (local.get $m)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $vec (i32.lt_u (local.get $i) (local.get $end))))
        (local.set $s (i32.add (local.get $s) (i32.const 2)))
        (br $pairs)))
    ;; the last odd shingle
    (if (i32.lt_u (local.get $s) (local.get $count))
      (then
        (local.set $a0 (i32x4.splat (i32.load (i32.add (local.get $h1) (i32.shl (local.get $s) (i32.const 2))))))
        (local.set $b0 (i32x4.splat (i32.load (i32.add (local.get $h2) (i32.shl (local.get $s) (i32.const 2))))))
        (local.set $i (i32.const 0))
        (loop $vec1
          (local.set $key (v128.load (i32.add (local.get $keys) (local.get $i))))
          (v128.store (i32.add (local.get $sig) (local.get $i))
            (i32x4.min_s (v128.load (i32.add (local.get $sig) (local.get $i)))
              (block (result v128)
            (local.set $t (v128.xor (local.get $a0) (local.get $key)))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 16))))
            (local.set $t (i32x4.mul (local.get $t) (local.get $c1)))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 13))))
            (local.set $t (i32x4.mul (local.get $t) (local.get $c2)))
            (v128.xor (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 16))) (local.get $b0)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $vec1 (i32.lt_u (local.get $i) (local.get $end)))))))
)
