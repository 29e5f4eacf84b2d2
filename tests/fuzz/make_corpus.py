#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

A few tiny valid inputs (so the fuzzer starts past the header checks) and a
few invalid ones per target. The input layouts are described at the top of
each tests/fuzz/fuzz_*.cpp. JPEG and BMP seeds are encoded with Debian's
libstb (the library the reader decodes with); PNGs are written here.
Run it again after changing a layout; the output is deterministic.
"""

import ctypes
import gzip
import os
import shutil
import struct
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(bytes(data))


def idx(dims, values):
    out = bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return out + bytes(values)


def split_input(num_classes, first, second):
    """Byte 0: classes - 1; bytes 1-2: length of the first part (LE); then both parts."""
    return bytes([num_classes - 1]) + struct.pack("<H", len(first)) + first + second


def idx_corpus():
    t = "fuzz_idx"
    images = idx([3, 2, 2], range(12))
    labels = idx([3], [2, 0, 1])
    write(t, "valid-3x2x2", split_input(3, images, labels))
    write(t, "valid-rgb", split_input(2, idx([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), idx([1], [1])))
    write(t, "valid-gzip", split_input(3, gzip.compress(images, mtime=0), gzip.compress(labels, mtime=0)))
    write(t, "label-outside", split_input(2, images, labels))
    write(t, "count-mismatch", split_input(3, images, idx([2], [0, 1])))
    write(t, "wrong-magic", split_input(3, b"\x01\x02\x08\x01\x00\x00\x00\x01\x05", labels))
    write(t, "truncated", split_input(3, images[:-3], labels))
    write(t, "empty", b"")


def cifar_corpus():
    t = "fuzz_cifar"
    pixels = bytes((i * 7) % 256 for i in range(3072))
    write(t, "cifar10-one-record", bytes([3]) + pixels)
    write(t, "cifar100-one-record", bytes([1, 42]) + pixels)
    write(t, "label-outside", bytes([200]) + pixels)
    write(t, "truncated", bytes([3]) + pixels[:100])
    write(t, "empty", b"")


def png(width, height, channels, fill):
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[channels]

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([fill]) * (width * channels) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def stb_encode(kind, width, height, channels, fill):
    """Encodes with libstb's writer (jpg or bmp) through a temporary file."""
    stb = ctypes.CDLL("libstb.so.0")
    pixels = (ctypes.c_ubyte * (width * height * channels))(*([fill] * (width * height * channels)))
    folder = tempfile.mkdtemp()
    try:
        path = os.path.join(folder, "image").encode()
        if kind == "jpg":
            ok = stb.stbi_write_jpg(path, width, height, channels, pixels, 90)
        else:
            ok = stb.stbi_write_bmp(path, width, height, channels, pixels)
        if not ok:
            raise RuntimeError("libstb could not write a " + kind)
        with open(path, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(folder)


def folder_input(flags, first, second):
    """Byte 0: flags; bytes 1-2: length of image A (LE); then images A and B."""
    return bytes([flags]) + struct.pack("<H", len(first)) + first + second


def imagefolder_corpus():
    t = "fuzz_imagefolder"
    grey = png(2, 2, 1, 100)
    rgb = png(2, 2, 3, 200)
    write(t, "png-grey-two-classes", folder_input(0, grey, png(2, 2, 1, 50)))
    write(t, "png-rgb-and-grey-splits", folder_input(1, rgb, grey))
    write(t, "png-grey-alpha", folder_input(0, png(2, 2, 2, 9), png(2, 2, 4, 9)))
    write(t, "jpg-two-classes", folder_input(6, stb_encode("jpg", 2, 2, 3, 80), stb_encode("jpg", 2, 2, 1, 30)))
    write(t, "bmp-named-png", folder_input(0, stb_encode("bmp", 2, 2, 3, 80), grey))
    write(t, "size-mismatch", folder_input(0, grey, png(3, 3, 1, 50)))
    write(t, "one-class-only", folder_input(8, grey, grey))
    write(t, "test-class-unknown", folder_input(17, grey, grey))
    write(t, "truncated-png", folder_input(0, grey[:30], grey))


def runfile_corpus():
    t = "fuzz_runfile"
    # Recipes: train size, test size, epochs, models, summary flag; the rest
    # reads as zeros, i.e. every part written as the writer writes it.
    write(t, "empty-run", b"")
    write(t, "one-model", bytes([3, 2, 2, 1, 0]))
    write(t, "three-models-summary", bytes([5, 3, 3, 3, 1]))
    write(t, "no-test-split", bytes([4, 0, 1, 1, 1]))
    # The same with one part broken (the byte after the sizes is the form of
    # the root attribute 'format', then 'format_version').
    write(t, "format-missing", bytes([3, 2, 2, 1, 0, 1]))
    write(t, "format-version-array", bytes([3, 2, 2, 1, 0, 0, 5]))
    write(t, "format-version-string", bytes([3, 2, 2, 1, 0, 0, 3, 1]))


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    idx_corpus()
    cifar_corpus()
    imagefolder_corpus()
    runfile_corpus()
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        print(f"{target}: {len(files)} seeds")


if __name__ == "__main__":
    main()
