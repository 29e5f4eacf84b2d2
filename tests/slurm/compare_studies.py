"""Compares two study files value for value: every dataset and attribute,
except those that record when, where or how fast a study ran (timestamps,
paths, seconds, host and device). Exit status 0 when equal, 1 otherwise
(each difference printed).

Usage: /usr/bin/python3 compare_studies.py a.h5 b.h5
"""
import sys

import h5py
import numpy as np

# Names that say when, where or how fast, not what was computed; the
# attributes digest covers those too, so it is left out with them.
IGNORED = ("time", "seconds", "created", "path", "host", "device", "output", "config", "version", "threads", "started", "finished",
           "digest")


def ignored(name):
    last = name.rsplit("/", 1)[-1].lower()
    return any(word in last for word in IGNORED)


def items(f):
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not ignored(name):
            found[name] = obj[()]
        for key, value in obj.attrs.items():
            if not ignored(key) and not ignored(name):
                found[name + "@" + key] = value

    for key, value in f.attrs.items():
        if not ignored(key):
            found["@" + key] = value
    f.visititems(visit)
    return found


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def main():
    with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
        a, b = items(fa), items(fb)
    differences = sorted(set(a) ^ set(b))
    differences += [k for k in sorted(set(a) & set(b)) if not same(a[k], b[k])]
    for k in differences:
        print("differs:", k)
    print(f"compared {len(set(a) & set(b))} datasets and attributes: {len(differences)} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
