"""Your own images: a zip of 10,000 images in ten folders prepared within 10 s on 2 cores; zip bombs refused within
1 s, with at most 100 MB of memory spent."""

import io
import json
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from bench import best_of
from mnistcore import image_folders
from mnistcore.data import load_dataset
from mnistcore.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
IMAGES = 10_000
BOMB_BYTES = 2**30  # one member of zeros: Deflate at level 9 packs it to about 1 MB


def png(image: np.ndarray) -> bytes:
    """A (28, 28) uint8 image as PNG bytes."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


def fashion_zip(n: int) -> bytes:
    """The first `n` Fashion-MNIST training images as PNG files in ten class folders, wrapped in a top folder."""
    ds = load_dataset("fashion")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            folder = ds.classes[ds.y_train[i]].replace("/", " or ")
            z.writestr(f"fashion/{folder}/{i:05d}.png", png(ds.x_train[i]))
    return buf.getvalue()


def bomb_zip() -> bytes:
    """Ten class folders of two real images each, and in one of them a 1 GiB file of zeros (written a MiB at a time)."""
    ds = load_dataset("fashion")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for c in range(10):
            for i in np.flatnonzero(ds.y_train == c)[:2]:
                z.writestr(f"bomb/{c}/{i}.png", png(ds.x_train[i]))
        with z.open("bomb/3/huge.png", "w", force_zip64=True) as f:
            zeros = bytes(2**20)
            for _ in range(BOMB_BYTES // len(zeros)):
                f.write(zeros)
    return buf.getvalue()


def lying_zip(honest: bytes) -> bytes:
    """`honest` with every directory entry's unpacked size set to 1 KiB: what a crafted bomb's directory claims."""
    data = bytearray(honest)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:  # each central directory entry: its size at offset 24
        data[at + 24:at + 28] = (1024).to_bytes(4, "little")
        at += 4
    return bytes(data)


def within(name: str, ours: float, budget: float, unit: str) -> bool:
    """Print one line: our figure beside its budget, and their ratio (a target is met at 1 or less); True when met."""
    ok = ours <= budget
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {ours:.3f} {unit} against {budget:g} {unit} -> {ours / budget:.3f} of "
          "the budget (target <= 1)", flush=True)
    return ok


def status_mb(field: str) -> float:
    """A memory figure of this process from Linux's /proc/self/status (VmRSS: now; VmHWM: its peak), in MB."""
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024 / 1e6  # the kernel counts in KiB


def read_from_stdin() -> None:
    """In a fresh process (which imports no torch): read the zip on stdin, and print as JSON how long that took, the
    peak of what Python allocated, how far the process's peak resident memory rose, and the words it ended with."""
    data = sys.stdin.buffer.read()
    image_folders.prepared(png(np.eye(28, dtype=np.uint8) * 255))  # Pillow's plugins load once, before the clock
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak resident memory starts again from what the process holds now
    before = status_mb("VmRSS")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        words = "accepted; " + " ".join(image_folders.read_zip(data).notes)
    except DataError as e:
        words = "refused: " + str(e)
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] / 1e6
    print(json.dumps([seconds, traced, status_mb("VmHWM") - before, words]))


def measured(data: bytes) -> tuple[float, float, float, str]:
    """`read_from_stdin` of `data` in a process of its own, so that its peak memory is the read's alone."""
    child = subprocess.run([sys.executable, "-c", "from bench.zip_bench import read_from_stdin; read_from_stdin()"],
                           input=data, capture_output=True, timeout=120, check=True, cwd=ROOT)
    return tuple(json.loads(child.stdout))


def run() -> list[bool]:
    """Time a 10,000-image zip against its 10 s target, and two zip bombs' refusals against 1 s and 100 MB."""
    results = []
    start = time.perf_counter()
    data = fashion_zip(IMAGES)
    print(f"      a zip of {IMAGES:,} Fashion-MNIST PNG files in ten folders: {len(data) / 1e6:.1f} MB, made in "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    folders = image_folders.read_zip(data)
    assert len(folders.labels) == IMAGES, folders.notes
    seconds = best_of(lambda: image_folders.read_zip(data), 2)
    print(f"      read_zip, {image_folders.WORKERS} worker processes: {seconds:.2f} s, "
          f"{seconds / IMAGES * 1e3 * image_folders.WORKERS:.2f} ms of a core per image", flush=True)
    results.append(within(f"{IMAGES:,} images prepared", seconds, 10.0, "s"))
    start = time.perf_counter()
    bomb = bomb_zip()
    print(f"      a zip bomb: {BOMB_BYTES / 2**30:.0f} GiB of zeros packed to {len(bomb) / 1e6:.1f} MB, made in "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    for name, zipped in (("a zip bomb", bomb), ("a zip bomb whose directory lies", lying_zip(bomb))):
        seconds, traced, rss, words = measured(zipped)
        print(f"      {name}: {words!r}", flush=True)
        results.append(within(f"{name}: refused, or the bomb left out", seconds, 1.0, "s"))
        results.append(within(f"{name}: memory, tracemalloc's peak", traced, 100.0, "MB"))
        results.append(within(f"{name}: memory, peak RSS above the RSS before", rss, 100.0, "MB"))
    return results
