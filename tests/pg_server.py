"""A throwaway PostgreSQL server on 127.0.0.1 for the tests: Debian's `postgresql` package, started in a
temporary folder, as the `postgres` user when the tests run as root (PostgreSQL refuses to run as root)."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.servers import free_port


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, newest version first, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class Postgres:
    """One PostgreSQL server: `start()`, `stop()` (and `start()` again: the data stays), `url`."""

    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="mnist-pg-"))
        self.data, self.port = self.root / "data", free_port()
        self.url = f"postgresql://mnist@127.0.0.1:{self.port}/mnist"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.root, info.pw_uid, info.pw_gid)
        self._run("initdb", "-D", self.data, "-U", "mnist", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "mnist", "mnist")

    def _run(self, tool: str, *args) -> None:
        command = [str(self.bin / tool), *map(str, args)]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        """Start (or start again) the server, listening on 127.0.0.1 only, with its socket in its own folder."""
        self._run("pg_ctl", "-D", self.data, "-l", self.root / "log", "-w", "-t", "30", "start",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.root}")

    def stop(self) -> None:
        """Stop the server at once (clients are cut off mid-query, as when a database host goes down)."""
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        """Stop the server and delete its folder."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
