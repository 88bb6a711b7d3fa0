"""Loading: the shipped sample under 0.2 s; full-size IDX files (Debian's Fashion-MNIST) under 1 s."""

import gzip
import zipfile
from pathlib import Path

from bench import best_of, report
from mnistcore.data import DEBIAN_FASHION, SAMPLE_PATH, read_folder, read_sample

FASHION = Path(DEBIAN_FASHION)


def run() -> list[bool]:
    """Time both loads against their absolute targets and the bare decompression they cannot beat."""
    results = []
    sample = best_of(read_sample, 5)
    floor = best_of(lambda: [zipfile.ZipFile(SAMPLE_PATH).read(n) for n in zipfile.ZipFile(SAMPLE_PATH).namelist()], 5)
    print(f"      sample: {sample:.3f} s (target < 0.2 s); bare unzip of the .npz {floor:.3f} s", flush=True)
    results.append(report("shipped sample load", sample, 0.2, "the 0.2 s budget", 1.0))
    if not FASHION.is_dir():
        print("SKIP  full-size IDX: Debian's dataset-fashion-mnist is not installed")
        return results
    full = best_of(lambda: read_folder("fashion", FASHION), 3)
    gunzip = best_of(lambda: [gzip.decompress(p.read_bytes()) for p in FASHION.glob("*.gz")], 3)
    print(f"      Fashion-MNIST IDX: {full:.3f} s (target < 1 s); gunzip alone {gunzip:.3f} s "
          f"(parsing adds {max(full - gunzip, 0):.3f} s)", flush=True)
    results.append(report("full-size IDX parse", full, 1.0, "the 1 s budget", 1.0))
    return results
