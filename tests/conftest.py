"""Shared fixtures: small real-format data files written by the tests themselves."""

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest

from mnistcore.data import N_VALID
from mnistcore.idx import write_idx

N_FULL_TRAIN = N_VALID + 300  # just enough to take the lesson's last-10,000 validation split
N_TEST = 200


def make_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    """Random uint8 images with labels that encode their index, so splits can be checked."""
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (N_FULL_TRAIN, 28, 28), dtype=np.uint8),
        "train_labels": (np.arange(N_FULL_TRAIN) % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "test_labels": (np.arange(N_TEST) % 10).astype(np.uint8),
    }


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> Path:
    """Write the four MNIST IDX files for `arrays` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
    for key, stem in names.items():
        write_idx(folder / (stem + (".gz" if gz else "")), arrays[key])
    return folder


@pytest.fixture(scope="session")
def idx_arrays() -> dict[str, np.ndarray]:
    """The arrays behind `idx_folder`."""
    return make_arrays()


@pytest.fixture(scope="session")
def idx_folder(tmp_path_factory, idx_arrays) -> Path:
    """A folder with four good, gzipped IDX files."""
    return write_idx_folder(tmp_path_factory.mktemp("idx"), idx_arrays)


def write_lesson_pickle(path: Path, scale: float = 255.0, n: int = 50) -> dict[str, np.ndarray]:
    """Write a small pickle shaped like the lesson's mnist.pkl.gz; return the uint8 truth."""
    rng = np.random.default_rng(1)
    truth, splits = {}, []
    for split in ("train", "valid", "test"):
        x = rng.integers(0, 256, (n, 784), dtype=np.uint8)
        y = rng.integers(0, 10, n).astype(np.int64)
        truth[f"x_{split}"], truth[f"y_{split}"] = x.reshape(-1, 28, 28), y
        splits.append(((x / scale).astype(np.float32), y))
    path.write_bytes(gzip.compress(pickle.dumps(tuple(splits), protocol=2)))
    return truth
