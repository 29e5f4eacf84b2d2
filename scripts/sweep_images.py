#!/usr/bin/env python3
"""Contact sheets of a sweep's examples, one PNG per memorisation trajectory type.

For each type (constant, decreasing, increasing, cap-shaped, undetermined) it
writes `DIR/<type>.png`: up to `--examples` images of that type in a grid,
the most pronounced first (decreasing: largest mem at the smallest size minus
mem at the largest; increasing: the reverse; cap-shaped: largest rise of the
peak over the higher end point; constant and undetermined: highest mean mem),
and `DIR/<type>.tsv` naming each image in grid order (row, column, example,
class, and mem, P_in, P_out at every size). `DIR/index.tsv` gives each type's
count and share. The Studio does the same interactively: the bars of the
Model sizes view filter its gallery, whose contact sheet exports a PNG.

Reads the sweep file with h5py and the images from the dataset it names
(IDX, CIFAR-10 or CIFAR-100 binary; `--data` overrides the folder); writes PNG
with zlib, so it needs only numpy and h5py (Debian's /usr/bin/python3).

    scripts/sweep_images.py sweep.h5 DIR [--examples 24] [--columns 8] [--scale 2]
"""
import argparse
import glob
import json
import os
import struct
import sys
import warnings
import zlib

import h5py
import numpy as np

from idxfile import read_idx


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def train_images(folder, fmt):
    """The train split of the dataset as uint8 [N, H, W, C]."""
    if fmt == "idx":
        found = sorted(glob.glob(os.path.join(folder, "train-images*")))
        if not found:
            raise SystemExit(f"sweep_images.py: no train-images IDX file in {folder} (give --data)")
        return read_idx(found[0])[..., None]
    if fmt in ("cifar10", "cifar100"):
        names = ["data_batch_%d.bin" % i for i in range(1, 6)] if fmt == "cifar10" else ["train.bin"]
        label_bytes = 1 if fmt == "cifar10" else 2
        batches = []
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.exists(path):
                raise SystemExit(f"sweep_images.py: {path} is missing (give --data)")
            raw = np.fromfile(path, dtype=np.uint8).reshape(-1, label_bytes + 3072)
            batches.append(raw[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        return np.concatenate(batches)
    raise SystemExit(f"sweep_images.py: dataset format '{fmt}' is not supported (idx, cifar10, cifar100)")


def write_png(path, pixels):
    """pixels: uint8 [H, W] (grey) or [H, W, 3] (RGB)."""
    h, w = pixels.shape[:2]
    colour = 2 if pixels.ndim == 3 else 0
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def sheet(images, columns, scale, gap=2):
    """A grid of equally sized images on a white ground, each enlarged by `scale`."""
    n, h, w, c = images.shape
    rows = max(1, (n + columns - 1) // columns)
    cell_h, cell_w = h * scale + gap, w * scale + gap
    out = np.full((rows * cell_h + gap, columns * cell_w + gap, c), 255, dtype=np.uint8)
    for i, img in enumerate(images):
        big = img.repeat(scale, 0).repeat(scale, 1)
        y, x = gap + (i // columns) * cell_h, gap + (i % columns) * cell_w
        out[y:y + h * scale, x:x + w * scale] = big
    return out[..., 0] if c == 1 else out


def pronounced(name, mem):
    """Sort key (larger first) of how clearly an example shows its type; mem is [sizes, N]."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an example without any estimate sorts last
        if name == "decreasing":
            key = mem[0] - mem[-1]
        elif name == "increasing":
            key = mem[-1] - mem[0]
        elif name == "cap-shaped" and len(mem) > 2:
            key = np.nanmax(mem[1:-1], 0) - np.maximum(mem[0], mem[-1])
        else:
            key = np.nanmean(mem, 0)
    return np.nan_to_num(key, nan=-np.inf)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", help="sweep file written by pdepth sweep")
    ap.add_argument("out", help="folder to write the PNG and TSV files into")
    ap.add_argument("--data", help="dataset folder (default: the one the sweep names)")
    ap.add_argument("--examples", type=int, default=24, help="images per type (default 24)")
    ap.add_argument("--columns", type=int, default=8)
    ap.add_argument("--scale", type=int, default=2, help="pixel enlargement (default 2)")
    args = ap.parse_args()
    if args.examples < 1 or args.columns < 1 or args.scale < 1:
        raise SystemExit("sweep_images.py: --examples, --columns and --scale must be at least 1")

    with h5py.File(args.sweep, "r") as f:
        if text(f.attrs.get("format", "")) != "pdepth-sweep":
            raise SystemExit(f"sweep_images.py: {args.sweep} is not a sweep file (pdepth sweep)")
        sw = f["sweep"]
        names = [text(n) for n in sw.attrs["trajectory_names"]]
        trajectory = sw["trajectory"][:]
        sizes = sw["size_values"][:]
        per_size = {q: np.stack([sw[f"sizes/s{s:02d}/{q}"][:] for s in range(len(sizes))])
                    for q in ("mem", "p_in", "p_out")}
        ds = f["dataset"]
        classes = [text(c) for c in ds.attrs["class_names"]]
        fmt = text(ds.attrs["format"])
        folder = args.data or text(ds.attrs["source"])
        rows = f["dataset/train/source_index"][:]
        labels = f["dataset/train/label"][:]
        config = json.loads(text(f.attrs["sweep_config"]))
    images = train_images(folder, fmt)
    if rows.max(initial=0) >= len(images):
        raise SystemExit(f"sweep_images.py: {folder} has {len(images)} train images, the sweep uses index {rows.max()}")
    os.makedirs(args.out, exist_ok=True)
    size_names = ["%g" % s for s in sizes]
    with open(os.path.join(args.out, "index.tsv"), "w") as index:
        index.write("type\tcount\tshare\tfile\n")
        for t, name in enumerate(names):
            members = np.nonzero(trajectory == t)[0]
            index.write(f"{name}\t{len(members)}\t{len(members) / max(1, len(trajectory)):.4f}\t{name}.png\n")
            if len(members) == 0:
                continue
            key = pronounced(name, per_size["mem"][:, members])
            chosen = members[np.argsort(-key, kind="stable")[:args.examples]]
            write_png(os.path.join(args.out, f"{name}.png"),
                      sheet(images[rows[chosen]], min(args.columns, len(chosen)), args.scale))
            with open(os.path.join(args.out, f"{name}.tsv"), "w") as tsv:
                head = ["row", "column", "example", "class"]
                for q in ("mem", "p_in", "p_out"):
                    head += [f"{q}_{s}" for s in size_names]
                tsv.write("\t".join(head) + "\n")
                for i, e in enumerate(chosen):
                    cells = [str(i // args.columns), str(i % args.columns), str(e), classes[labels[e]]]
                    for q in ("mem", "p_in", "p_out"):
                        cells += ["" if np.isnan(v) else f"{v:.3f}" for v in per_size[q][:, e]]
                    tsv.write("\t".join(cells) + "\n")
    print(f"{args.out}: {len(names)} types over {len(trajectory)} examples of a {config['base']['model']['arch']} "
          f"sweep at sizes {', '.join(size_names)}", file=sys.stderr)


if __name__ == "__main__":
    main()
