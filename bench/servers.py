"""The app launched for a benchmark (one server, or several behind HAProxy), and what /proc says of it."""

import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.serve import Class

TICK = os.sysconf("SC_CLK_TCK")
CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright cannot download its own here


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of() -> dict[int, int]:
    """Every process's parent, from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue  # ended while we looked
    return parents


def tree(pid: int) -> set[int]:
    """`pid` and every process below it (the forkserver and the training workers of a server)."""
    parents, found = children_of(), {pid}
    while True:
        below = {c for c, p in parents.items() if p in found} - found
        if not below:
            return found
        found |= below


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU seconds used so far by `pid` (and, with `children`, everything below it)."""
    total = 0.0
    for p in tree(pid) if children else {pid}:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            continue
    return total


def renice_browser(niceness: int) -> None:
    """Lower the priority of every Chromium process (its later children inherit it) and of its session's
    scheduling group: under Linux autogroup a process's nice counts only inside its own session."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if "chrom" in stat.read_text().split(")", 1)[0]:
                os.setpriority(os.PRIO_PROCESS, int(stat.parent.name), niceness)
                (stat.parent / "autogroup").write_text(f"{niceness}\n")
        except OSError:
            continue


def browser_cpu_seconds() -> float:
    """CPU seconds used so far by every Chromium process on this machine (the benchmark's browser)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            if "chrom" in text.split(")", 1)[0]:
                fields = text.rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            continue
    return total


def pss_mib(pid: int) -> float:
    """Proportional set size of one process in MiB (shared pages divided among their sharers)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Launch:
    """A running app: its public URL and its processes."""

    url: str
    group: Class

    @property
    def server_pids(self) -> list[int]:
        """The Streamlit servers (not their workers)."""
        return [p.pid for p in self.group.apps if p is not None]

    def all_pids(self) -> set[int]:
        """Servers, their forkservers and workers, and the proxy."""
        pids = set().union(*(tree(p) for p in self.server_pids))
        return pids | ({self.group.proxy.pid} if self.group.proxy else set())

    def tracebacks(self) -> int:
        """Tracebacks the servers have logged so far."""
        return sum(log.read_text().count("Traceback") for log in self.group.logs.glob("server-*.log"))


@contextmanager
def start_app(servers: int = 1, env: dict | None = None):
    """A fresh app on 127.0.0.1 (`servers` > 1: behind HAProxy), stopped afterwards."""
    port = free_port()
    group = Class(port, servers, bind="127.0.0.1", backends=[free_port() for _ in range(servers)], env=env).start()
    try:
        yield Launch(f"http://127.0.0.1:{port}", group)
    finally:
        group.stop()
