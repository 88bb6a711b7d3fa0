"""Slowing down guesses: of room codes, teacher secrets, rejoin codes and the teacher password.

A code is one of about a billion, so a guesser's only hope is speed. Failed tries are counted three ways over a
sliding window: per browser (`per_client`), per network address (`per_address`: a guesser who opens a new browser,
or forges a new cookie, for every try is still one address), and for the whole server (`per_server`: many
addresses at once). Whom a limit stops is what keeps a class in: a browser past its own limit, and every browser
of an address past the address's; the server's limit stops only browsers that have themselves failed in the window,
so a stranger elsewhere, or a crowd of them, cannot lock a class's students out of joining, or its board out of its
room. A refused try is told how long to wait.
"""

import ipaddress
import threading
import time
from collections import defaultdict, deque

Client = tuple[str, str] | str  # (browser, network address), or a browser alone (one address for all)
SWEEP = 10_000  # browsers and addresses counted before the quiet ones are swept out


def network(address: str) -> str:
    """The address guesses are counted against: an IPv4 address itself, an IPv6 address's /64 (what one home or one
    machine holds), anything else as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


class Throttle:
    """Counts failed tries per browser, per address and in all, over a sliding window."""

    def __init__(self, per_client: int = 5, per_address: int = 60, per_server: int = 600, window: float = 60.0):
        self.per_client, self.per_address, self.per_server, self.window = per_client, per_address, per_server, window
        self._failed: dict[str, deque] = defaultdict(deque)  # per browser
        self._from: dict[str, deque] = defaultdict(deque)  # per address
        self._all: deque = deque()
        self._lock = threading.Lock()

    def _forget(self, times: deque, now: float) -> None:
        while times and now - times[0] >= self.window:
            times.popleft()

    @staticmethod
    def _split(client: Client) -> tuple[str, str]:
        return client if isinstance(client, tuple) else (client, "")

    def wait(self, client: Client, now: float | None = None) -> float:
        """Seconds before `client` may try again (0.0: now)."""
        now = time.monotonic() if now is None else now
        browser, address = self._split(client)
        place = network(address)
        with self._lock:
            mine, theirs = self._failed[browser], self._from[place]
            for times in (mine, theirs, self._all):
                self._forget(times, now)
            waits = [0.0]
            if len(mine) >= self.per_client:
                waits.append(self.window - (now - mine[0]))
            if len(theirs) >= self.per_address:
                waits.append(self.window - (now - theirs[0]))
            if len(self._all) >= self.per_server and mine:  # a server-wide flood slows only those who took part
                waits.append(self.window - (now - self._all[0]))
            for key, times, table in ((browser, mine, self._failed), (place, theirs, self._from)):
                if not times:
                    del table[key]  # a quiet browser or address costs no memory
            return max(waits)

    def failed(self, client: Client, now: float | None = None) -> None:
        """Count a failed try by `client`."""
        now = time.monotonic() if now is None else now
        browser, address = self._split(client)
        with self._lock:
            self._failed[browser].append(now)
            self._from[network(address)].append(now)
            self._all.append(now)
            if len(self._failed) + len(self._from) > SWEEP:  # browsers that never came back: forget their old tries
                for table in (self._failed, self._from):
                    for key in list(table):
                        self._forget(table[key], now)
                        if not table[key]:
                            del table[key]
