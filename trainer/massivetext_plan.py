"""Read a massivetext training plan with numpy memory maps (no copy of the plan or the shards).

Usable on its own by any trainer (see CONTRACT.md):

    from massivetext_plan import Plan
    plan = Plan("/path/to/run/plan")                 # directory holding plan.json
    tokens = plan.sample(k)                            # np.ndarray of seq_len + 1 ids, global sample k
    batch = plan.rank_batch(step, global_batch, rank, world_size)   # (G/W, seq_len + 1) int64

Layout (written by massivetext's stages/train/plan.ts):
  dataset_index.npy          u1  [N]      subset of global sample k
  dataset_sample_index.npy   u4  [N]      row of that subset's sample_idx
  <subset>.doc_idx.npy       u4  [P]      document ids (within the subset) in packing order
  <subset>.sample_idx.npy    u4  [M+1, 2] (position in doc_idx, token offset) of each sample's first token
Sample j of a subset is the tokens from (p0, o0) = sample_idx[j] to (p1, o1) = sample_idx[j+1] inclusive,
seq_len + 1 tokens, as Megatron-LM's GPTDataset. Document d of a subset lives in the shard whose
first_document <= d, at the byte pointer its Megatron .idx gives.
"""
import json
import os

import numpy as np

_IDX_DTYPES = {8: np.uint16, 4: np.int32}


def read_idx(path):
    """Megatron MMIDIDX: returns (dtype, lengths int32[S], pointers int64[S])."""
    with open(path, "rb") as f:
        head = f.read(34)
    if head[:9] != b"MMIDIDX\x00\x00":
        raise ValueError(f"{path}: not a Megatron MMIDIDX index")
    code = head[17]
    s = int.from_bytes(head[18:26], "little")
    lengths = np.memmap(path, dtype="<i4", mode="r", offset=34, shape=(s,))
    pointers = np.memmap(path, dtype="<i8", mode="r", offset=34 + 4 * s, shape=(s,))
    return _IDX_DTYPES[code], lengths, pointers


class _Subset:
    def __init__(self, plan_dir, data_dir, meta, token_dtype):
        self.name = meta["name"]
        self.doc_idx = np.load(os.path.join(plan_dir, meta["docIdx"]), mmap_mode="r")
        self.sample_idx = np.load(os.path.join(plan_dir, meta["sampleIdx"]), mmap_mode="r")
        self.first = np.array([sh["firstDocument"] for sh in meta["shards"]] + [meta["documents"]], dtype=np.int64)
        self.bins, self.lengths, self.pointers = [], [], []
        for sh in meta["shards"]:
            dt, lengths, pointers = read_idx(os.path.join(data_dir, sh["idx"]))
            binpath = os.path.join(data_dir, sh["bin"])
            self.bins.append(np.memmap(binpath, dtype=token_dtype, mode="r") if os.path.getsize(binpath) else np.zeros(0, token_dtype))
            self.lengths.append(lengths)
            self.pointers.append(pointers)
        self.itemsize = np.dtype(token_dtype).itemsize

    def document(self, d):
        s = int(np.searchsorted(self.first, d, side="right")) - 1
        local = d - int(self.first[s])
        start = int(self.pointers[s][local]) // self.itemsize
        return self.bins[s][start:start + int(self.lengths[s][local])]

    def sample(self, j, out):
        p0, o0 = (int(x) for x in self.sample_idx[j])
        p1, o1 = (int(x) for x in self.sample_idx[j + 1])
        n = 0
        for p in range(p0, p1 + 1):
            doc = self.document(int(self.doc_idx[p]))
            lo = o0 if p == p0 else 0
            hi = o1 + 1 if p == p1 else len(doc)
            out[n:n + hi - lo] = doc[lo:hi]
            n += hi - lo
        if n != len(out):
            raise ValueError(f"subset {self.name} sample {j}: {n} tokens, expected {len(out)}")
        return out


class Plan:
    def __init__(self, plan_dir):
        with open(os.path.join(plan_dir, "plan.json")) as f:
            self.meta = json.load(f)
        m = self.meta
        if m.get("format") != "massivetext-train-plan":
            raise ValueError(f"{plan_dir}/plan.json is not a massivetext training plan")
        self.plan_id = m["planId"]
        self.seq_len = int(m["seqLen"])
        self.samples = int(m["samples"])
        self.vocab_size = m.get("vocabSize")
        self.eos_id = m.get("eosId")
        token_dtype = np.uint16 if m["dtype"] == "uint16" else np.uint32
        self.dataset_index = np.load(os.path.join(plan_dir, m["datasetIndex"]), mmap_mode="r")
        self.dataset_sample_index = np.load(os.path.join(plan_dir, m["datasetSampleIndex"]), mmap_mode="r")
        self.subsets = [_Subset(plan_dir, m["dataDir"], s, token_dtype) for s in m["subsets"]]

    def sample(self, k, out=None):
        """The seq_len + 1 token ids of global sample k (int64)."""
        if not 0 <= k < self.samples:
            raise IndexError(f"sample {k} outside the plan's {self.samples}")
        if out is None:
            out = np.empty(self.seq_len + 1, dtype=np.int64)
        return self.subsets[int(self.dataset_index[k])].sample(int(self.dataset_sample_index[k]), out)

    def rank_range(self, step, global_batch, rank=0, world_size=1):
        """Global samples [start, end) that `rank` reads at `step` (0-based)."""
        if global_batch % world_size:
            raise ValueError(f"global batch {global_batch} does not divide by world size {world_size}")
        per = global_batch // world_size
        start = step * global_batch + rank * per
        return start, start + per

    def rank_batch(self, step, global_batch, rank=0, world_size=1):
        start, end = self.rank_range(step, global_batch, rank, world_size)
        out = np.empty((end - start, self.seq_len + 1), dtype=np.int64)
        for i, k in enumerate(range(start, end)):
            self.sample(k, out[i])
        return out
