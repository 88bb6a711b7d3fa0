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
    ("numpy.core.numeric", "_frombuffer"),  # protocol 5 (numpy 2's choice) rebuilds arrays from a buffer
    ("numpy._core.numeric", "_frombuffer"),
}
MAX_BYTES = 400 * 2**20  # the lesson's file unpacks to 220 MB; a pickle that unpacks to more is refused


def _bytes(*args):
    """bytes() as protocol 2 rebuilds an empty buffer; never bytes(n), which would allocate n bytes."""
    if args and not isinstance(args[0], str | bytes):
        raise pickle.UnpicklingError("refused bytes() of anything but text")
    return bytes(*args)


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that can rebuild numpy arrays and nothing else."""

    def find_class(self, module: str, name: str):
        """Resolve `module.name` only when numpy arrays need it."""
        if (module, name) in (("__builtin__", "bytes"), ("builtins", "bytes")):
            return _bytes
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        return super().find_class(module.replace("numpy.core", "numpy._core"), name)


def _to_uint8(x: np.ndarray) -> np.ndarray:
    """Turn float pixels in [0, 1] back into the bytes they were made from."""
    # deeplearning.net's file stores byte/256; other copies store byte/255.
    if x.size == 0:
        return np.zeros(x.shape, np.uint8)
    scale = 256.0 if x.max() < 1.0 and np.allclose(x * 256, np.round(x * 256), atol=1e-3) else 255.0
    return np.clip(np.round(x * scale), 0, 255).astype(np.uint8)


def _unpacked(path: Path) -> bytes:
    """The file's bytes, gunzipped when its name ends in .gz, refused past MAX_BYTES."""
    with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise DataError(f"{path.name}: unpacks to more than {MAX_BYTES // 2**20} MiB, far more than the lesson's file")
    return raw


def read_lesson_pickle(path: str | Path) -> dict[str, np.ndarray]:
    """Return train/valid/test images (N, 28, 28) uint8 and labels int64 from `path`.

    Only the pickle's layout is checked here; `data.check_arrays` checks the arrays themselves.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path.name}: file not found")
    try:
        splits = _ArraysOnly(io.BytesIO(_unpacked(path)), encoding="latin1").load()
    except DataError:
        raise
    except pickle.UnpicklingError as e:
        raise DataError(f"{path.name}: not a plain pickle of numpy arrays ({e})") from e
    except EOFError as e:
        raise DataError(f"{path.name}: the file ends early (truncated)") from e
    except Exception as e:  # a corrupt pickle can fail in many ways; all mean the same to a user
        raise DataError(f"{path.name}: could not be read as the lesson's pickle ({type(e).__name__})") from e
    if not (isinstance(splits, tuple) and len(splits) == 3):
        raise DataError(f"{path.name}: expected a tuple of (train, valid, test), found {type(splits).__name__}")
    out = {}
    for split, pair in zip(("train", "valid", "test"), splits):
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise DataError(f"{path.name}: the {split} split should be a pair (images, labels)")
        x, y = pair
        if not (isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[1] == 784 and x.dtype.kind == "f"):
            found = getattr(x, "shape", type(x).__name__)
            raise DataError(f"{path.name}: {split} images should be float (N, 784), found {found}")
        if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu"):
            raise DataError(f"{path.name}: {split} labels should be an array of whole numbers")
        if len(x) and not np.isfinite(x).all():
            raise DataError(f"{path.name}: {split} images hold NaN or infinite pixels")
        out[f"x_{split}"] = _to_uint8(x).reshape(-1, 28, 28)  # (N, 784) -> (N, 28, 28)
        out[f"y_{split}"] = y.astype(np.int64)
    return out
