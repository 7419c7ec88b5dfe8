#!/usr/bin/python3
"""Reads massivetext token shards the way real training stacks do and prints a JSON report.

  check_token_shards.py megatron PART.bin [PART.bin ...]   .bin + .idx as Megatron-LM's IndexedDataset
  check_token_shards.py llmc FILE.bin [FILE.bin ...]        llm.c shards (1 KiB int32 header + tokens)

Megatron: the .idx is parsed exactly as megatron/core/datasets/indexed_dataset.py `_IndexReader`
does (header b"MMIDIDX\\x00\\x00", uint64 version 1, uint8 dtype code, uint64 sequence count, uint64
document count, then int32 lengths / int64 pointers / int64 document indices read with
numpy.frombuffer over a numpy.memmap of the file), and the .bin is a numpy.memmap viewed with
numpy.frombuffer at each pointer, as `_MMapBinReader.read` does: zero copies.

llm.c: the checks of llmc/dataloader.h (magic 20240520 + version 1 for uint16, 20240801 + version 7
for uint32; file size == 1024 + ntok * itemsize); tokens via numpy.memmap(offset=1024).

The report lists, per file, the dtype, token and document counts, whether every document ends with
the EOS id (--eos N), a sha256 of all tokens as little-endian uint32 (so shards of either width
compare), and each document's first and last token for boundary checks.
"""
import hashlib
import json
import struct
import sys

import numpy

_INDEX_HEADER = b"MMIDIDX\x00\x00"
# megatron/core/datasets/indexed_dataset.py DType
_DTYPES = {1: numpy.uint8, 2: numpy.int8, 3: numpy.int16, 4: numpy.int32, 5: numpy.int64,
           6: numpy.float64, 7: numpy.float32, 8: numpy.uint16}


def read_megatron(bin_path, eos):
    idx_path = bin_path[:-4] + ".idx" if bin_path.endswith(".bin") else bin_path + ".idx"
    with open(idx_path, "rb") as stream:
        header = stream.read(9)
        assert header == _INDEX_HEADER, f"bad header, cannot read: {idx_path}"
        version = struct.unpack("<Q", stream.read(8))[0]
        assert version == 1, f"bad version, cannot read: {idx_path}"
        code = struct.unpack("<B", stream.read(1))[0]
        dtype = _DTYPES[code]
        dtype_size = dtype().itemsize
        sequence_count = struct.unpack("<Q", stream.read(8))[0]
        document_count = struct.unpack("<Q", stream.read(8))[0]
        offset = stream.tell()
    assert offset == 34
    idx_mmap = numpy.memmap(idx_path, mode="r", order="C")
    idx_buf = memoryview(idx_mmap)
    lengths = numpy.frombuffer(idx_buf, dtype=numpy.int32, count=sequence_count, offset=offset)
    pointers = numpy.frombuffer(idx_buf, dtype=numpy.int64, count=sequence_count,
                                offset=offset + lengths.nbytes)
    doc_idx = numpy.frombuffer(idx_buf, dtype=numpy.int64, count=document_count,
                               offset=offset + lengths.nbytes + pointers.nbytes)
    expected_idx_size = offset + lengths.nbytes + pointers.nbytes + doc_idx.nbytes
    assert idx_mmap.shape[0] == expected_idx_size, (idx_mmap.shape[0], expected_idx_size)
    # one sequence per document: document indices 0..S
    assert document_count == sequence_count + 1
    assert (doc_idx == numpy.arange(document_count, dtype=numpy.int64)).all()

    bin_mmap = numpy.memmap(bin_path, mode="r", order="C")
    bin_buf = memoryview(bin_mmap.data)
    # pointers are byte offsets, contiguous, and the lengths cover the file exactly
    ends = numpy.cumsum(lengths.astype(numpy.int64) * dtype_size)
    starts = numpy.concatenate([numpy.zeros(1, numpy.int64), ends[:-1]]) if sequence_count else ends
    assert (pointers == starts).all(), "sequence pointers are not contiguous byte offsets"
    total = int(ends[-1]) if sequence_count else 0
    assert total == bin_mmap.shape[0], (total, bin_mmap.shape[0])

    all_tokens = numpy.frombuffer(bin_buf, dtype=dtype, count=total // dtype_size, offset=0) if total else numpy.zeros(0, dtype)
    assert not all_tokens.flags.owndata  # a view of the memmap, no copy
    firsts, lasts = [], []
    eos_ok = True
    for i in range(sequence_count):
        # _MMapBinReader.read(dtype, count=length, offset=pointer)
        doc = numpy.frombuffer(bin_buf, dtype=dtype, count=int(lengths[i]), offset=int(pointers[i]))
        if len(doc) == 0:
            eos_ok = False
            firsts.append(None)
            lasts.append(None)
            continue
        firsts.append(int(doc[0]))
        lasts.append(int(doc[-1]))
        if eos is not None:
            if int(doc[-1]) != eos or (doc[:-1] == eos).any():
                eos_ok = False
    if eos is not None and total:
        assert int((all_tokens == eos).sum()) == sequence_count or not eos_ok
    return {
        "file": bin_path, "format": "megatron", "dtype": numpy.dtype(dtype).name, "dtype_code": code,
        "tokens": int(total // dtype_size), "documents": int(document_count - 1),
        "eos_after_every_document": eos_ok,
        "tokens_sha256_u32": hashlib.sha256(all_tokens.astype("<u4").tobytes()).hexdigest(),
        "lengths": [int(x) for x in lengths], "first": firsts, "last": lasts,
    }


def read_llmc(path, eos):
    header = numpy.fromfile(path, dtype=numpy.int32, count=256)
    magic, version, ntok = int(header[0]), int(header[1]), int(header[2])
    if magic == 20240520:
        assert version == 1, f"bad version {version} in {path}"
        dtype = numpy.uint16
    elif magic == 20240801:
        assert version == 7, f"bad version {version} in {path}"
        dtype = numpy.uint32
    else:
        raise AssertionError(f"bad magic {magic} in {path}")
    assert (header[3:] == 0).all()
    size = numpy.memmap(path, mode="r").shape[0]
    assert size == 1024 + ntok * numpy.dtype(dtype).itemsize, (size, ntok)
    tokens = numpy.memmap(path, dtype=dtype, mode="r", offset=1024, shape=(ntok,))
    ends = numpy.flatnonzero(tokens == eos) + 1 if eos is not None else numpy.zeros(0, numpy.int64)
    lengths = numpy.diff(numpy.concatenate([numpy.zeros(1, numpy.int64), ends]))
    return {
        "file": path, "format": "llmc", "dtype": numpy.dtype(dtype).name, "magic": magic, "version": version,
        "tokens": ntok, "documents": int(len(ends)),
        "eos_after_every_document": bool(ntok == 0 or (eos is not None and int(tokens[-1]) == eos)),
        "tokens_sha256_u32": hashlib.sha256(numpy.asarray(tokens).astype("<u4").tobytes()).hexdigest(),
        "lengths": [int(x) for x in lengths],
    }


def main(argv):
    eos = None
    if "--eos" in argv:
        i = argv.index("--eos")
        eos = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    kind, files = argv[0], argv[1:]
    reader = {"megatron": read_megatron, "llmc": read_llmc}[kind]
    print(json.dumps({"numpy": numpy.__version__, "files": [reader(f, eos) for f in files]}))


if __name__ == "__main__":
    main(sys.argv[1:])
