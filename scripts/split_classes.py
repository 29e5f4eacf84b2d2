#!/usr/bin/python3
"""Split an IDX dataset (MNIST layout) by class into two IDX datasets.

Used for a transfer measurement on a machine that has one dataset only: the
regimes are trained on one half of the classes and their frozen features are
probed on the other half (same image size, unseen classes).

Usage: scripts/split_classes.py SRC_DIR OUT_A OUT_B [CLASSES_A]
  CLASSES_A: comma-separated classes of the first half (default 0,1,2,3,4);
  the remaining classes go to OUT_B. Labels are renumbered 0.. in each half.
"""
import gzip
import os
import struct
import sys

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    tmp = path + ".part"
    with gzip.open(tmp, "wb") as f:
        f.write(header)
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    os.replace(tmp, path)


def find(src, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(src, name)):
            return os.path.join(src, name)
    raise SystemExit(f"{src}: no {stem}[.gz]")


def main():
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    src, out_a, out_b = sys.argv[1:4]
    images = {s: read_idx(find(src, f"{s}-images-idx3-ubyte")) for s in ("train", "t10k")}
    labels = {s: read_idx(find(src, f"{s}-labels-idx1-ubyte")) for s in ("train", "t10k")}
    classes = sorted(set(labels["train"].tolist()))
    first = [int(c) for c in sys.argv[4].split(",")] if len(sys.argv) == 5 else classes[: len(classes) // 2]
    if not first or any(c not in classes for c in first) or len(set(first)) == len(classes):
        raise SystemExit(f"CLASSES_A must be a proper subset of {classes}")
    second = [c for c in classes if c not in first]
    for out, keep in ((out_a, first), (out_b, second)):
        os.makedirs(out, exist_ok=True)
        remap = np.full(256, 255, dtype=np.uint8)
        remap[keep] = np.arange(len(keep), dtype=np.uint8)
        for s in ("train", "t10k"):
            mask = np.isin(labels[s], keep)
            write_idx(os.path.join(out, f"{s}-images-idx3-ubyte.gz"), images[s][mask])
            write_idx(os.path.join(out, f"{s}-labels-idx1-ubyte.gz"), remap[labels[s][mask]])
        print(f"{out}: classes {keep} -> 0..{len(keep) - 1}, {int(np.isin(labels['train'], keep).sum())} train")


if __name__ == "__main__":
    main()
