"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in (optionally gzipped)."""

import gzip
import zlib
from pathlib import Path

import numpy as np

from mnistcore.errors import DataError

UBYTE = 0x08  # the only element type MNIST uses


def _read_bytes(path: Path) -> bytes:
    """Return the file's bytes, un-gzipped when its name ends in `.gz`."""
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        if path.suffix == ".gz":
            return gzip.decompress(path.read_bytes())
        return path.read_bytes()
    except EOFError as e:
        raise DataError(f"{path}: the gzip stream is truncated (the file ends early)") from e
    except (gzip.BadGzipFile, zlib.error) as e:
        raise DataError(f"{path}: not a valid gzip file ({e})") from e


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """Parse the IDX file at `path`, expecting unsigned bytes in `ndim` dimensions."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"{path}: {len(raw)} bytes, too short for an IDX header")
    zero, dtype, got_ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0 or dtype != UBYTE or got_ndim != ndim:
        raise DataError(
            f"{path}: wrong magic number 0x{raw[:4].hex()}, "
            f"expected 0x0000{UBYTE:02x}{ndim:02x} (unsigned bytes, {ndim} dimensions)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: header cut short ({len(raw)} of {header} bytes)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise DataError(
            f"{path}: header promises {dims} = {expected} bytes but the file holds {len(raw)}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write uint8 `array` to `path` as IDX, gzipped when the name ends in `.gz`."""
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, UBYTE, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    data = header + array.tobytes()
    path.write_bytes(gzip.compress(data, compresslevel=1) if path.suffix == ".gz" else data)
