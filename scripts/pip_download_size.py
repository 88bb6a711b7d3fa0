"""What a `pip install` fetched: the wheels in its --report, with their sizes, and their sum.

    python scripts/pip_download_size.py REPORT.json PIP.log [--list]

A wheel pip downloaded has its size in pip's log ("Downloading torch-2.13.0-....whl (502.2 MB)"); one it took
from a folder or a file:// index is measured on disk, and one it took from its own cache ("Using cached ...")
is counted with the size the log gives it. Prints the total in MiB ("1,234 MiB"), or each wheel with --list.
Standard library only: scripts/check-pythons.sh runs it with the Python it is checking.
"""

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

UNITS = {"kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "bytes": 1}
LOGGED = re.compile(r"(?:Downloading|Using cached) (\S+?)\s+\(([\d.]+) (kB|KB|MB|GB|bytes)\)")


def sizes(report: Path, log: Path) -> dict[str, float]:
    """Each installed archive's file name and size in bytes (nan where neither the log nor the disk says)."""
    logged = {}
    for m in LOGGED.finditer(log.read_text(encoding="utf-8", errors="replace")):
        logged[Path(unquote(m[1])).name] = float(m[2]) * UNITS[m[3]]
    found = {}
    for item in json.loads(report.read_text(encoding="utf-8"))["install"]:
        url = urlparse(item["download_info"]["url"])
        name = Path(unquote(url.path)).name
        if url.scheme == "file" and Path(unquote(url.path)).is_file():
            found[name] = Path(unquote(url.path)).stat().st_size
        else:
            found[name] = logged.get(name, float("nan"))
    return found


def main() -> int:
    report, log = Path(sys.argv[1]), Path(sys.argv[2])
    found = sizes(report, log)
    if "--list" in sys.argv:
        for name, size in sorted(found.items(), key=lambda kv: -kv[1]):
            print(f"{size / 2**20:10.1f} MiB  {name}")
    unknown = [n for n, s in found.items() if s != s]
    total = sum(s for s in found.values() if s == s) / 2**20
    print(f"{total:,.0f} MiB" + (f" (+{len(unknown)} of unknown size)" if unknown else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
