#!/usr/bin/python3
"""Independent re-implementation of massivetext's sample shuffle (stages/sample/seeded-shuffle.ts),
from its documentation only: prints the permutation of range(n) for a seed and a stream.

  seeded_shuffle.py SEED SUBSET EPOCH N
"""
import hashlib
import json
import struct
import sys

M = 0xFFFFFFFF


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M


class Xoshiro128:
    def __init__(self, seed, stream):
        d = hashlib.sha256(f"massivetext-sample/v1\0{seed}\0{stream}".encode()).digest()
        self.s = list(struct.unpack("<4I", d[:16]))
        if not any(self.s):
            self.s[0] = 1

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 9) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def uniform(self, n):
        limit = 2**32 - (2**32 % n)
        x = self.next()
        while x >= limit:
            x = self.next()
        return x % n


def permutation(n, rng):
    a = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.uniform(i + 1)
        a[i], a[j] = a[j], a[i]
    return a


if __name__ == "__main__":
    seed, subset, epoch, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    print(json.dumps(permutation(n, Xoshiro128(seed, f"{subset}\0{epoch}"))))
