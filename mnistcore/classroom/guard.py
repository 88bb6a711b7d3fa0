"""Slowing down guesses: of room codes, teacher secrets and the teacher password.

A code is one of about a billion, so a guesser's only hope is speed. Each client (a browser) may fail
`per_client` times in `window` seconds, and all clients of a server together `per_server` times, which
also stops a guesser who opens a new browser for every try. A refused try is told how long to wait.
"""

import threading
import time
from collections import defaultdict, deque


class Throttle:
    """Counts failed tries per client and in all, over a sliding window."""

    def __init__(self, per_client: int = 5, per_server: int = 60, window: float = 60.0):
        self.per_client, self.per_server, self.window = per_client, per_server, window
        self._failed: dict[str, deque] = defaultdict(deque)
        self._all: deque = deque()
        self._lock = threading.Lock()

    def _forget(self, times: deque, now: float) -> None:
        while times and now - times[0] >= self.window:
            times.popleft()

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds before `client` may try again (0.0: now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            mine = self._failed[client]
            self._forget(mine, now)
            self._forget(self._all, now)
            waits = [0.0]
            if len(mine) >= self.per_client:
                waits.append(self.window - (now - mine[0]))
            if len(self._all) >= self.per_server:
                waits.append(self.window - (now - self._all[0]))
            if not mine:
                del self._failed[client]  # a quiet client costs no memory
            return max(waits)

    def failed(self, client: str, now: float | None = None) -> None:
        """Count a failed try by `client`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failed[client].append(now)
            self._all.append(now)
