"""Reference for bench/train-plan.ts: Megatron-LM GPTDataset's index building (doc_idx, sample_idx,
shuffle_idx; megatron/core/datasets/gpt_dataset.py) in vectorised numpy, over the same document lengths
and per-subset sample counts. Megatron computes sample_idx in C++ (helpers.cpp); here it is a
cumsum + searchsorted, which is at least as fast. Usage: train-plan-reference.py DIR seq_len seed
(DIR holds lengths-<i>.npy and counts.json, written by the bench). Prints {"ms": ..., "per_subset_ms": [...]}.
"""
import json
import os
import sys
import time

import numpy as np

d, seq_len, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
counts = json.load(open(os.path.join(d, "counts.json")))
t0 = time.perf_counter()
per = []
for i, n in enumerate(counts):
    t1 = time.perf_counter()
    lengths = np.load(os.path.join(d, f"lengths-{i}.npy"))
    tokens = int(lengths.sum(dtype=np.int64))
    epochs = max(1, -(-(n * seq_len + 1) // tokens))
    rs = np.random.RandomState(seed + i)
    doc_idx = np.concatenate([rs.permutation(len(lengths)).astype(np.int32) for _ in range(epochs)])
    cum = np.cumsum(lengths[doc_idx], dtype=np.int64)
    starts = np.arange(n + 1, dtype=np.int64) * seq_len
    pos = np.searchsorted(cum, starts, side="right")
    off = starts - (cum[pos] - lengths[doc_idx[pos]])
    sample_idx = np.stack([pos.astype(np.int32), off.astype(np.int32)], axis=1)
    shuffle_idx = rs.permutation(n).astype(np.uint32)
    for name, a in (("doc_idx", doc_idx), ("sample_idx", sample_idx), ("shuffle_idx", shuffle_idx)):
        np.save(os.path.join(d, f"ref-{i}-{name}.npy"), a)
    per.append(round((time.perf_counter() - t1) * 1000))
print(json.dumps({"ms": round((time.perf_counter() - t0) * 1000), "per_subset_ms": per}))
