"""Reference for `npm run bench -- dedup`: MinHash signatures the way datatrove computes them (numpy,
sha1-64 shingle hashes, (a*h + b) mod (2^61 - 1) permutations), written for this benchmark (datatrove itself
is not installable here). Same shingles (lower-cased word 13-grams) and hash count as ours.
Usage: python3 dedup-reference.py DOCS.jsonl HASHES N  -> prints {"docs", "bytes", "seconds", "cpu_seconds"} on stdout."""
import hashlib
import json
import re
import sys
import time

import numpy as np

MERSENNE = np.uint64((1 << 61) - 1)
MAX_HASH = np.uint64((1 << 32) - 1)
WORD = re.compile(r"\w+")


def main():
    path, hashes, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    gen = np.random.RandomState(seed=1)
    a = np.array([gen.randint(1, int(MERSENNE), dtype=np.uint64) for _ in range(hashes)], dtype=np.uint64)
    b = np.array([gen.randint(0, int(MERSENNE), dtype=np.uint64) for _ in range(hashes)], dtype=np.uint64)
    texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    t0 = time.perf_counter()
    c0 = time.process_time()
    out = 0
    with np.errstate(over="ignore"):
        for text in texts:
            words = WORD.findall(text.lower())
            if not words:
                continue
            grams = [" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))]
            h = np.fromiter((int.from_bytes(hashlib.sha1(g.encode("utf-8")).digest()[:8], "little") for g in grams),
                            dtype=np.uint64, count=len(grams))
            sig = np.min(((h[:, None] * a + b) % MERSENNE) & MAX_HASH, axis=0)
            out ^= int(sig[0])
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"docs": len(texts), "bytes": nbytes, "seconds": seconds, "cpu_seconds": cpu, "check": out}))


if __name__ == "__main__":
    main()
