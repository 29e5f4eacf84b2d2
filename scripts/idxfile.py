"""IDX files (MNIST, Fashion-MNIST; gzipped or not) as numpy arrays, for the scripts and the bench."""
import gzip

import numpy as np


def read_idx(path):
    """The array an IDX file holds (uint8 data), shaped by its header."""
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)
