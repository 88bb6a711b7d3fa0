"""Fetch a file over HTTP with checksum verification; nothing is written half."""

import hashlib
import http.client
import os
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from mnistcore.errors import DataError

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)
CHUNK = 1 << 16


def md5_of(path: Path) -> str:
    """Return the hex MD5 of the file at `path` (the mirrors publish MD5s)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, dest: Path, md5: str, progress: Progress | None = None, timeout: float = 30) -> Path:
    """Download `url` to `dest`, verify its `md5`, and only then move it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A part file of its own for every call: named by the process alone, two sessions of one server downloading at
    # once wrote into one file, and the first to finish moved a file the other was still writing.
    handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f"{dest.name}.part-")
    part = Path(name)
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total else None
            done = 0
            while block := response.read(CHUNK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress:
                    progress(done, total)
        if total is not None and done != total:
            raise DataError(f"{url}: the connection closed after {done:,} of {total:,} bytes")
        if digest.hexdigest() != md5:
            raise DataError(f"{url}: checksum mismatch (MD5 {digest.hexdigest()}, expected {md5})")
        os.replace(part, dest)
        return dest
    except (http.client.HTTPException, ConnectionResetError) as e:  # the server went away mid-file
        raise DataError(f"{url}: the server stopped sending mid-file ({e!r})") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise DataError(f"{url}: download failed ({getattr(e, 'reason', e)}); is there a network?") from e
    finally:
        part.unlink(missing_ok=True)


_BUSY: dict[Path, threading.Lock] = {}  # one download of a file at a time in a process


def download_first(mirrors: Sequence[str], name: str, dest: Path, md5: str, progress: Progress | None = None) -> Path:
    """Try each mirror in turn for `name`; raise one error listing every failure. A second caller for the same file
    waits for the first and is then given its file."""
    with _BUSY.setdefault(Path(dest).resolve(), threading.Lock()):  # setdefault: one lock, even for two at once
        if dest.exists() and md5_of(dest) == md5:
            return dest
        failures = []
        for base in mirrors:
            try:
                return download(base + name, dest, md5, progress)
            except DataError as e:
                failures.append(str(e))
        raise DataError(f"could not download {name}:\n" + "\n".join(failures))
