"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in (optionally gzipped)."""

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from mnistcore.errors import DataError

UBYTE = 0x08  # the only element type MNIST uses
MAX_BYTES = 256 * 2**20  # full MNIST's largest file holds 47 MB; a header promising more is refused unread


def _open(path: Path):
    """The file as a stream of its (un-gzipped) bytes."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _read_exactly(stream, n: int, name: str) -> bytes:
    """Read `n` bytes and make sure nothing follows them."""
    data = stream.read(n)
    if len(data) != n:
        raise DataError(f"{name}: the header promises {n:,} bytes of data but the file holds {len(data):,}")
    if stream.read(1):
        raise DataError(f"{name}: the file holds more bytes than its header promises")
    return data


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """Parse the IDX file at `path`, expecting unsigned bytes in `ndim` dimensions.

    The header is checked before the body is read (or decompressed), so a small file that
    promises billions of images costs nothing. Messages name the file, never its folder.
    """
    path, name = Path(path), Path(path).name
    if not path.is_file():
        raise DataError(f"{name}: file not found")
    try:
        with _open(path) as stream:
            magic = stream.read(4)
            if len(magic) < 4:
                raise DataError(f"{name}: {len(magic)} bytes, too short for an IDX header")
            if magic[:3] != bytes([0, 0, UBYTE]) or magic[3] != ndim:
                raise DataError(f"{name}: wrong magic number: not an IDX file of unsigned bytes "
                                f"in {ndim} dimensions")
            head = stream.read(4 * ndim)
            if len(head) < 4 * ndim:
                raise DataError(f"{name}: the header is cut short")
            dims = tuple(int.from_bytes(head[4 * i:4 * i + 4], "big") for i in range(ndim))
            size = math.prod(dims)  # Python ints: no wrap-around, however large the header's claim
            if size > MAX_BYTES:
                raise DataError(f"{name}: the header promises {' x '.join(map(str, dims))} = {size:,} bytes, "
                                f"more than the {MAX_BYTES // 2**20} MiB an MNIST file can need; refused unread")
            data = _read_exactly(stream, size, name)
    except EOFError as e:
        raise DataError(f"{name}: the gzip stream is truncated (the file ends early)") from e
    except (gzip.BadGzipFile, zlib.error) as e:
        raise DataError(f"{name}: not a valid gzip file") from e
    except OSError as e:
        raise DataError(f"{name}: could not be read ({e.strerror or 'I/O error'})") from e
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write uint8 `array` to `path` as IDX, gzipped when the name ends in `.gz`."""
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, UBYTE, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    data = header + array.tobytes()
    path.write_bytes(gzip.compress(data, compresslevel=1) if path.suffix == ".gz" else data)
