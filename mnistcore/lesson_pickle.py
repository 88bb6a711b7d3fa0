"""Read the lesson's `mnist.pkl.gz` without letting the pickle run code.

A pickle can name any Python callable to rebuild its objects, so `pickle.load` on a
file from the internet can run anything. This unpickler accepts only the few names
numpy needs to rebuild arrays and refuses everything else.
"""

import gzip
import io
import pickle
from pathlib import Path

import numpy as np

from mnistcore.errors import DataError

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),  # protocol-2 pickles written by Python 3 store array bytes this way
}


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that can rebuild numpy arrays and nothing else."""

    def find_class(self, module: str, name: str):
        """Resolve `module.name` only when numpy arrays need it."""
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        return super().find_class(module.replace("numpy.core", "numpy._core"), name)


def _to_uint8(x: np.ndarray) -> np.ndarray:
    """Turn float pixels in [0, 1] back into the bytes they were made from."""
    # deeplearning.net's file stores byte/256; other copies store byte/255.
    scale = 256.0 if x.max() < 1.0 and np.allclose(x * 256, np.round(x * 256), atol=1e-3) else 255.0
    return np.clip(np.round(x * scale), 0, 255).astype(np.uint8)


def read_lesson_pickle(path: str | Path) -> dict[str, np.ndarray]:
    """Return train/valid/test images (N, 28, 28) uint8 and labels int64 from `path`."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        splits = _ArraysOnly(io.BytesIO(raw), encoding="latin1").load()
    except pickle.UnpicklingError as e:
        raise DataError(f"{path}: not a plain pickle of numpy arrays ({e})") from e
    except EOFError as e:
        raise DataError(f"{path}: the file ends early (truncated)") from e
    except Exception as e:  # a corrupt pickle can fail in many ways; all mean the same to a user
        raise DataError(f"{path}: could not be read as the lesson's pickle ({e})") from e
    if not (isinstance(splits, tuple) and len(splits) == 3):
        raise DataError(f"{path}: expected a tuple of (train, valid, test), found {type(splits).__name__}")
    out = {}
    for split, pair in zip(("train", "valid", "test"), splits):
        x, y = pair
        if not (isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[1] == 784 and x.dtype.kind == "f"):
            raise DataError(f"{path}: {split} images should be float (N, 784), found {getattr(x, 'shape', x)}")
        if len(y) != len(x):
            raise DataError(f"{path}: {split} has {len(x)} images but {len(y)} labels")
        out[f"x_{split}"] = _to_uint8(x).reshape(-1, 28, 28)  # (N, 784) -> (N, 28, 28)
        out[f"y_{split}"] = np.asarray(y, dtype=np.int64)
    return out
